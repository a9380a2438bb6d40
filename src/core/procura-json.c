/* procura-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-decimal.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-json.h"

static void
add_value (JsonBuilder            *builder,
           const ProcuraFieldInfo *field,
           GVariant               *value)
{
  if (value == NULL)
    json_builder_add_null_value (builder);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    json_builder_add_string_value (builder, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    json_builder_add_boolean_value (builder, g_variant_get_boolean (value));
  else if (field->type == PROCURA_FIELD_DECIMAL)
    {
      g_autofree char *text = procura_decimal_format (g_variant_get_int64 (value));
      json_builder_add_string_value (builder, text);
    }
  else
    json_builder_add_int_value (builder, g_variant_get_int64 (value));
}

static void
build_record (JsonBuilder         *builder,
              const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entity");
  json_builder_add_string_value (builder, entity->name);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, procura_record_get_id (record));
  json_builder_set_member_name (builder, "rev");
  json_builder_add_int_value (builder, procura_record_get_rev (record));
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, procura_record_get_deleted (record));
  json_builder_set_member_name (builder, "updated_at");
  if (procura_record_get_updated_at (record) != NULL)
    json_builder_add_string_value (builder, procura_record_get_updated_at (record));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  for (guint i = 0; i < entity->n_fields; i++)
    {
      if (!procura_record_is_set (record, i))
        continue;
      json_builder_set_member_name (builder, entity->fields[i].name);
      add_value (builder, &entity->fields[i], procura_record_get_value (record, i));
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

JsonNode *
procura_record_to_json (const ProcuraRecord *record)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  build_record (builder, record);
  return json_builder_get_root (builder);
}

static gboolean
value_from_json (const ProcuraFieldInfo  *field,
                 JsonNode                *node,
                 GVariant               **out,
                 GError                 **error)
{
  const char *label = procura_field_get_label (field);
  GType vtype;

  *out = NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    goto wrong_type;

  vtype = json_node_get_value_type (node);

  switch (field->type)
    {
    case PROCURA_FIELD_INT:
    case PROCURA_FIELD_MONEY:
      if (vtype != G_TYPE_INT64)
        goto wrong_type;
      *out = g_variant_ref_sink (g_variant_new_int64 (json_node_get_int (node)));
      return TRUE;

    case PROCURA_FIELD_DECIMAL:
      {
        gint64 v;

        if (vtype == G_TYPE_INT64)
          {
            gint64 whole = json_node_get_int (node);

            if (whole > PROCURA_DECIMAL_MAX / 100 || whole < -PROCURA_DECIMAL_MAX / 100)
              goto wrong_type;
            v = whole * 100;
          }
        else if (vtype != G_TYPE_STRING || !procura_decimal_parse (json_node_get_string (node), label, &v, error))
          {
            if (vtype != G_TYPE_STRING)
              goto wrong_type;
            return FALSE;
          }
        *out = g_variant_ref_sink (g_variant_new_int64 (v));
        return TRUE;
      }

    case PROCURA_FIELD_BOOL:
      if (vtype != G_TYPE_BOOLEAN)
        goto wrong_type;
      *out = g_variant_ref_sink (g_variant_new_boolean (json_node_get_boolean (node)));
      return TRUE;

    case PROCURA_FIELD_ENUM:
      if (vtype != G_TYPE_STRING)
        goto wrong_type;
      if (procura_field_lookup_enum (field, json_node_get_string (node)) == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s (“%s”): “%s” is not an allowed value"), label, field->name,
                       json_node_get_string (node));
          return FALSE;
        }
      *out = g_variant_ref_sink (g_variant_new_string (json_node_get_string (node)));
      return TRUE;

    default:
      if (vtype != G_TYPE_STRING)
        goto wrong_type;
      *out = g_variant_ref_sink (g_variant_new_string (json_node_get_string (node)));
      return TRUE;
    }

wrong_type:
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               _("%s (“%s”): value of the wrong JSON type"), label, field->name);
  return FALSE;
}

ProcuraRecord *
procura_record_from_json (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  const ProcuraEntityInfo *entity;
  JsonObject *object;
  JsonObject *fields;
  const char *entity_name;
  const char *id;
  JsonNode *member;
  GList *names;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Record: expected a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  entity_name = json_object_get_string_member_with_default (object, "entity", NULL);
  if (entity_name == NULL || (entity = procura_schema_lookup (entity_name)) == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Record: “entity” missing or unknown"));
      return NULL;
    }

  id = json_object_get_string_member_with_default (object, "id", NULL);
  if (id == NULL || !g_uuid_string_is_valid (id))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Record: “id” missing or not a UUID"));
      return NULL;
    }

  record = procura_record_new (entity, id);

  if ((member = json_object_get_member (object, "rev")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("Record: “rev” must be an integer"));
          return NULL;
        }
      procura_record_set_rev (record, json_node_get_int (member));
    }

  if ((member = json_object_get_member (object, "deleted")) != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("Record: “deleted” must be true or false"));
          return NULL;
        }
      procura_record_set_deleted (record, json_node_get_boolean (member));
    }

  procura_record_set_updated_at (record, json_object_get_string_member_with_default (object, "updated_at", NULL));

  member = json_object_get_member (object, "fields");
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Record: “fields” must be an object"));
      return NULL;
    }
  fields = json_node_get_object (member);

  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      int index = procura_entity_field_index (entity, name);
      GVariant *value = NULL;

      if (index < 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s has no field “%s”"), procura_entity_get_label (entity), name);
          g_list_free (names);
          return NULL;
        }
      if (!value_from_json (&entity->fields[index], json_object_get_member (fields, name), &value, error))
        {
          g_list_free (names);
          return NULL;
        }
      procura_record_set_value (record, index, value);
      if (value != NULL)
        g_variant_unref (value);
    }
  g_list_free (names);

  return g_steal_pointer (&record);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_member (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

JsonNode *
procura_ledger_row_to_json (const ProcuraLedgerRow *row)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string_member (builder, "id", row->id);
  add_string_member (builder, "code", row->code);
  add_string_member (builder, "title", row->title);
  add_string_member (builder, "agency_id", row->agency_id);
  add_string_member (builder, "agency_name", row->agency_name);
  add_string_member (builder, "street", row->street);
  add_string_member (builder, "community", row->community);
  add_string_member (builder, "category", row->category);
  add_string_member (builder, "status", row->status);
  add_string_member (builder, "start_date", row->start_date);
  add_string_member (builder, "end_date", row->end_date);
  if (row->budget_year > 0)
    add_int_member (builder, "budget_year", row->budget_year);
  else
    add_string_member (builder, "budget_year", NULL);
  add_int_member (builder, "value", row->value);
  add_int_member (builder, "amended_value", row->amended_value);
  add_int_member (builder, "paid", row->paid);
  add_int_member (builder, "balance", procura_ledger_row_get_balance (row));
  add_int_member (builder, "milestones", row->n_milestones);
  add_int_member (builder, "milestones_accepted", row->n_accepted);
  add_int_member (builder, "progress_permille", procura_ledger_row_get_progress (row));
  add_int_member (builder, "overdue", row->n_overdue);
  add_string_member (builder, "next_due", row->next_due);
  if (row->latest_score >= 0)
    {
      g_autofree char *score = procura_decimal_format (row->latest_score);
      add_string_member (builder, "latest_score", score);
    }
  else
    add_string_member (builder, "latest_score", NULL);
  add_string_member (builder, "latest_grade", row->latest_grade);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
add_record_array (JsonBuilder *builder,
                  const char  *name,
                  GPtrArray   *records)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; records != NULL && i < records->len; i++)
    build_record (builder, g_ptr_array_index (records, i));
  json_builder_end_array (builder);
}

static void
add_record_member (JsonBuilder         *builder,
                   const char          *name,
                   const ProcuraRecord *record)
{
  json_builder_set_member_name (builder, name);
  if (record != NULL)
    build_record (builder, record);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
procura_bundle_to_json (const ProcuraProjectBundle *bundle,
                        const char                 *as_of)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const ProcuraEntityInfo * const *all;
  guint n_all;

  json_builder_begin_object (builder);
  add_record_member (builder, "project", bundle->project);
  add_record_member (builder, "agency", bundle->agency);
  add_record_member (builder, "buyer", bundle->buyer);
  add_record_member (builder, "grade_scheme", bundle->grade_scheme);

  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      GPtrArray *children = procura_project_bundle_get_children ((ProcuraProjectBundle *) bundle, all[e]);

      if (children != NULL)
        add_record_array (builder, all[e]->plural, children);
    }

  json_builder_set_member_name (builder, "derived");
  json_builder_begin_object (builder);
  add_string_member (builder, "as_of", as_of);
  add_int_member (builder, "amended_value", procura_project_amended_value (bundle));
  add_int_member (builder, "paid", procura_project_paid (bundle));
  add_int_member (builder, "balance", procura_project_balance (bundle));
  add_int_member (builder, "progress_permille", procura_project_progress (bundle));
  json_builder_set_member_name (builder, "overdue_milestones");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bundle->milestones->len; i++)
    {
      ProcuraRecord *m = g_ptr_array_index (bundle->milestones, i);

      if (!procura_project_is_closed (bundle) && procura_milestone_is_overdue (m, as_of))
        json_builder_add_string_value (builder, procura_record_get_id (m));
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "evaluations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < bundle->evaluations->len; i++)
    {
      ProcuraRecord *ev = g_ptr_array_index (bundle->evaluations, i);
      gint64 total = procura_evaluation_total (bundle, procura_record_get_id (ev));
      g_autofree char *grade = procura_evaluation_grade (bundle, procura_record_get_id (ev));

      json_builder_begin_object (builder);
      add_string_member (builder, "id", procura_record_get_id (ev));
      if (total >= 0)
        {
          g_autofree char *t = procura_decimal_format (total);
          add_string_member (builder, "total", t);
        }
      else
        add_string_member (builder, "total", NULL);
      add_string_member (builder, "grade", grade);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
procura_history_entry_to_json (const ProcuraHistoryEntry *entry)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int_member (builder, "change", entry->change_id);
  add_string_member (builder, "mutation_id", entry->mutation_id);
  add_string_member (builder, "entity", entry->entity);
  add_string_member (builder, "id", entry->record_id);
  add_string_member (builder, "project_id", entry->project_id);
  add_string_member (builder, "op", entry->op);
  add_string_member (builder, "field", entry->field);
  add_string_member (builder, "old", entry->old_value);
  add_string_member (builder, "new", entry->new_value);
  add_string_member (builder, "actor", entry->actor);
  add_string_member (builder, "device", entry->device);
  add_string_member (builder, "at", entry->at);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
procura_json_to_string (JsonNode *node,
                        gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);

  return json_generator_to_data (generator, NULL);
}
