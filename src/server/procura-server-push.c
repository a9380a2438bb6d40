/* procura-server-push.c — applying pushed mutations
 *
 * PROTOCOL.md rules 1–6, one mutation at a time, inside the transaction
 * the backend opened for the whole push. Every write goes through the
 * store's write path (procura_store_insert/update/delete), which runs it
 * in a savepoint and validates every domain rule, under the client's
 * mutation id and the account's name, so the server's change rows say who
 * wrote what from which device. Conflicts are judged per field by the
 * field's revision (the change id that last changed it) against the
 * client's base_rev: client clocks order nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-json.h"
#include "procura-server-push.h"
#include "procura-store-private.h"
#include "procura-store-sql.h"

typedef struct
{
  ProcuraStore            *store;
  sqlite3                 *db;
  ProcuraServerStorage    *storage;
  const ProcuraServerUser *user;
  const char              *device;
  char                    *org_id;   /* agency accounts */
  char                    *now;
} Push;

/* ---- small SQL helpers ----------------------------------------------- */

static void
set_db_error (Push        *push,
              GError     **error,
              const char  *what)
{
  g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
               "%s: %s", what, sqlite3_errmsg (push->db));
}

static sqlite3_stmt *
prepare (Push        *push,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (push->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (push, error, "preparing a statement");
      return NULL;
    }

  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt,
           int           col,
           const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, col, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, col);
}

char *
procura_server_agency_org_id (ProcuraStore            *store,
                              const ProcuraServerUser *user)
{
  sqlite3 *db = procura_store_get_sqlite (store);
  sqlite3_stmt *stmt = NULL;
  char *id = NULL;

  if (user->org_uscc == NULL)
    return NULL;
  if (sqlite3_prepare_v2 (db, "SELECT id FROM organization WHERE uscc = ? AND deleted = 0",
                          -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_text (stmt, 1, user->org_uscc, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return id;
}

/* Who made the write with this change id. */
static char *
change_actor (Push   *push,
              gint64  change_id)
{
  sqlite3_stmt *stmt = NULL;
  char *actor = NULL;

  if (sqlite3_prepare_v2 (push->db, "SELECT actor FROM change WHERE id = ?", -1, &stmt, NULL) != SQLITE_OK)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, change_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    actor = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return actor;
}

/* The last revision of a field written by someone else than the pushing
 * user on the pushing device that this device has not overwritten since,
 * 0 when none, -1 on error. A device's own earlier writes — its earlier
 * mutations and the cascades they caused here — are not concurrent with
 * its later ones: it made those on top of them (it ran the same cascades
 * locally), so they never make a conflict, even when the later one went
 * out before the device learnt their revisions. And once the device's
 * own write replaced someone's value (that was the conflict), the field's
 * current value is its own: its later edits do not conflict again with a
 * value it no longer holds. */
static gint64
field_rev_by_others (Push                    *push,
                     const ProcuraEntityInfo *entity,
                     const char              *id,
                     const char              *field,
                     GError                 **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 rev = 0;
  int rc;

  rc = sqlite3_prepare_v2 (push->db,
                           "SELECT max(CASE WHEN NOT (c.device IS ?4 AND c.actor IS ?5) THEN c.id END), "
                           "       max(CASE WHEN c.device IS ?4 AND c.actor IS ?5 THEN c.id END) "
                           "FROM change c "
                           "JOIN history h ON h.change_id = c.id AND h.field = ?3 "
                           "WHERE c.record_id = ?2 AND c.entity = ?1",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, entity->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, push->device, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, push->user->name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          gint64 others = sqlite3_column_int64 (stmt, 0);
          gint64 own = sqlite3_column_int64 (stmt, 1);

          rev = others > own ? others : 0;
        }
    }
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   "reading the history: %s", sqlite3_errmsg (push->db));
      rev = -1;
    }
  sqlite3_finalize (stmt);

  return rev;
}

static char *
node_to_text (JsonNode *node)
{
  if (node == NULL)
    return g_strdup ("null");

  return json_to_string (node, FALSE);
}

static gboolean
add_conflict (Push        *push,
              const char  *kind,
              const char  *entity,
              const char  *record_id,
              const char  *project_id,
              const char  *field,
              JsonNode    *server_value,
              gint64       server_rev,
              const char  *server_by,
              JsonNode    *yours_value,
              const char  *mutation_id,
              GError     **error)
{
  g_autofree char *server_text = server_value != NULL ? node_to_text (server_value) : NULL;
  g_autofree char *yours_text = yours_value != NULL ? node_to_text (yours_value) : NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare (push,
                        "INSERT INTO server_conflict (entity, record_id, project_id, field, kind, "
                        "server_value, server_rev, server_by, yours_value, yours_by, mutation_id, at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, record_id);
  bind_text (stmt, 3, project_id);
  bind_text (stmt, 4, field);
  bind_text (stmt, 5, kind);
  bind_text (stmt, 6, server_text);
  if (server_rev > 0)
    sqlite3_bind_int64 (stmt, 7, server_rev);
  bind_text (stmt, 8, server_by);
  bind_text (stmt, 9, yours_text);
  bind_text (stmt, 10, push->user->name);
  bind_text (stmt, 11, mutation_id);
  bind_text (stmt, 12, push->now);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (push, error, "keeping a conflict");
      return FALSE;
    }

  return TRUE;
}

/* ---- results --------------------------------------------------------- */

static JsonObject *
result_new (const char *mutation_id,
            const char *status)
{
  JsonObject *result = json_object_new ();

  json_object_set_string_member (result, "mutation_id", mutation_id);
  json_object_set_string_member (result, "status", status);

  return result;
}

static JsonObject *
rejected (const char *mutation_id,
          const char *code,
          const char *reason)
{
  JsonObject *result = result_new (mutation_id, "rejected");

  json_object_set_string_member (result, "error", code);
  json_object_set_string_member (result, "reason", reason);

  return result;
}

static gint64
current_rev (Push                    *push,
             const ProcuraEntityInfo *entity,
             const char              *id)
{
  g_autoptr(ProcuraRecord) record = procura_store_get_including_deleted (push->store, entity, id, NULL);

  return record != NULL ? procura_record_get_rev (record) : 0;
}

/* ---- permissions (product.md §4) ------------------------------------- */

static const char *
record_project (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity;

  if (record == NULL)
    return NULL;
  entity = procura_record_get_entity (record);
  if (strcmp (entity->name, "project") == 0)
    return procura_record_get_id (record);
  if (entity->project_scoped)
    return procura_record_get_string (record, "project_id");

  return NULL;
}

/* A new child names its project, or a parent that does. */
static char *
new_record_project (Push                *push,
                    const ProcuraRecord *changes)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (changes);

  if (procura_record_get_string (changes, "project_id") != NULL)
    return g_strdup (procura_record_get_string (changes, "project_id"));

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      const ProcuraEntityInfo *target;
      g_autoptr(ProcuraRecord) parent = NULL;
      GVariant *value;

      if (field->type != PROCURA_FIELD_REF || (value = procura_record_get_value (changes, i)) == NULL)
        continue;
      target = procura_schema_lookup (field->ref_entity);
      if (!target->project_scoped)
        continue;
      parent = procura_store_get_including_deleted (push->store, target, g_variant_get_string (value, NULL), NULL);
      if (parent != NULL && procura_record_get_string (parent, "project_id") != NULL)
        return g_strdup (procura_record_get_string (parent, "project_id"));
    }

  return NULL;
}

static gboolean
project_is_own (Push       *push,
                const char *project_id)
{
  g_autoptr(ProcuraRecord) project = NULL;

  if (project_id == NULL || push->org_id == NULL)
    return FALSE;
  project = procura_store_get_including_deleted (push->store, PROCURA_ENTITY_PROJECT, project_id, NULL);

  return project != NULL && g_strcmp0 (procura_record_get_string (project, "agency_id"), push->org_id) == 0;
}

/* Only these fields of changes are set (besides project_id for a new record). */
static gboolean
only_fields (const ProcuraRecord *changes,
             const char * const  *allowed)
{
  const ProcuraEntityInfo *entity;

  if (changes == NULL)
    return TRUE;
  entity = procura_record_get_entity (changes);
  for (guint i = 0; i < entity->n_fields; i++)
    if (procura_record_is_set (changes, i) &&
        !g_strv_contains (allowed, entity->fields[i].name))
      return FALSE;

  return TRUE;
}

static gboolean
report_is_accepted (Push       *push,
                    const char *report_id)
{
  g_autoptr(ProcuraRecord) report = NULL;

  if (report_id == NULL)
    return FALSE;
  report = procura_store_get_including_deleted (push->store, PROCURA_ENTITY_REPORT, report_id, NULL);

  return report != NULL && g_strcmp0 (procura_record_get_string (report, "state"), "accepted") == 0;
}

/* NULL when allowed, else why not — in English on the wire; marked for
 * translation so that clients show the reason in their language. */
static const char *
check_permission (Push                    *push,
                  const char              *op,
                  const ProcuraEntityInfo *entity,
                  const ProcuraRecord     *existing,
                  const ProcuraRecord     *changes)
{
  static const char * const org_contact[] = { "address", "contact_person", "contact_phone", "contact_email", NULL };
  static const char * const actuals[] = { "actual_value", "comment", NULL };
  gboolean insert = strcmp (op, "insert") == 0;
  gboolean update = strcmp (op, "update") == 0;
  g_autofree char *new_project = NULL;
  const char *name = entity->name;

  if (push->user->role == PROCURA_ROLE_OFFICER)
    return NULL;
  if (push->user->role != PROCURA_ROLE_AGENCY)
    return N_("this account may read records but not change them");

  if (push->org_id == NULL)
    return N_("the account's organization is not on the server");

  if (strcmp (name, "organization") == 0)
    {
      if (!update || existing == NULL || g_strcmp0 (procura_record_get_id (existing), push->org_id) != 0)
        return N_("an agency may change only its own organization");
      if (!only_fields (changes, org_contact))
        return N_("an agency may change only its organization's address and contact details");
      return NULL;
    }

  if (!entity->project_scoped)
    return N_("an agency may not change this kind of record");

  /* the record's project, before and after */
  if (existing != NULL && !project_is_own (push, record_project (existing)))
    return N_("the record belongs to a project the agency does not carry out");
  if (changes != NULL && (insert || procura_record_get_string (changes, "project_id") != NULL))
    {
      new_project = new_record_project (push, changes);
      if (!project_is_own (push, new_project))
        return N_("the project is not one the agency carries out");
    }

  if (strcmp (name, "report") == 0)
    {
      const char *state = changes != NULL ? procura_record_get_string (changes, "state") : NULL;

      if (existing != NULL && g_strcmp0 (procura_record_get_string (existing, "state"), "accepted") == 0)
        return N_("an accepted report can no longer be changed by the agency");
      /* an agency moves a report only by submitting it; "draft" is only
       * where a new one starts */
      if (state != NULL && strcmp (state, "submitted") != 0 && !(insert && strcmp (state, "draft") == 0))
        return N_("only the purchasing unit accepts or returns a report");
      if (changes != NULL && (procura_record_is_set (changes, procura_entity_field_index (entity, "review_comment")) ||
                              procura_record_is_set (changes, procura_entity_field_index (entity, "reviewed_at"))))
        return N_("the review belongs to the purchasing unit");
      if (strcmp (op, "delete") == 0 && g_strcmp0 (procura_record_get_string (existing, "state"), "draft") != 0)
        return N_("an agency may delete only a draft report");
      /* only the purchasing unit reports on behalf of another organization */
      if (changes != NULL && procura_record_get_string (changes, "submitter_org_id") != NULL &&
          strcmp (procura_record_get_string (changes, "submitter_org_id"), push->org_id) != 0)
        return N_("an agency submits reports only in its own name");
      return NULL;
    }

  if (strcmp (name, "attachment") == 0)
    {
      if (existing != NULL && report_is_accepted (push, procura_record_get_string (existing, "report_id")))
        return N_("the attachment belongs to an accepted report");
      if (changes != NULL && report_is_accepted (push, procura_record_get_string (changes, "report_id")))
        return N_("the report has been accepted");
      return NULL;
    }

  if (strcmp (name, "activity") == 0 || strcmp (name, "consultation") == 0)
    return NULL;

  if (strcmp (name, "indicator_period") == 0)
    {
      if (!update || !only_fields (changes, actuals))
        return N_("an agency may record only the actual values of indicator periods");
      return NULL;
    }

  return N_("an agency may not change this kind of record");
}

/* ---- one mutation ---------------------------------------------------- */

static JsonNode *
field_node (JsonObject *fields,
            const char *name)
{
  JsonNode *node = fields != NULL ? json_object_get_member (fields, name) : NULL;

  return node != NULL ? json_node_copy (node) : json_node_new (JSON_NODE_NULL);
}

static void
set_origin (Push       *push,
            const char *mutation_id)
{
  ProcuraWriteOrigin origin = { mutation_id, push->user->name, push->device, FALSE };

  procura_store_set_write_origin (push->store, &origin);
}

static JsonObject *
apply_update (Push                    *push,
              const char              *mutation_id,
              const ProcuraEntityInfo *entity,
              const char              *id,
              gint64                   base_rev,
              JsonObject              *pushed,
              ProcuraRecord           *existing,
              ProcuraRecord           *changes,
              GError                 **error)
{
  g_autoptr(JsonNode) existing_json = procura_record_to_json (existing);
  JsonObject *existing_fields = json_object_get_object_member (json_node_get_object (existing_json), "fields");
  g_autoptr(JsonArray) overwritten = json_array_new ();
  g_autoptr(JsonArray) strict = json_array_new ();
  g_autoptr(GError) write_error = NULL;
  const char *project_id = record_project (existing);
  JsonObject *result;
  gboolean ok;

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      g_autofree char *by = NULL;
      JsonObject *conflict;
      JsonObject *side;
      gint64 field_rev;

      if (!procura_record_is_set (changes, i))
        continue;
      field_rev = field_rev_by_others (push, entity, id, field->name, error);
      if (field_rev < 0)
        return NULL;
      if (field_rev <= base_rev)
        continue;   /* nobody else changed it since the client saw it */
      /* both sides made the same edit: nothing to choose */
      if (procura_field_value_equal (procura_record_get_value (existing, i), procura_record_get_value (changes, i)))
        continue;

      by = change_actor (push, field_rev);
      conflict = json_object_new ();
      json_object_set_string_member (conflict, "field", field->name);
      json_object_set_string_member (conflict, "kept", (field->flags & PROCURA_FIELD_STRICT) ? "server" : "yours");
      side = json_object_new ();
      json_object_set_member (side, "value", field_node (existing_fields, field->name));
      json_object_set_int_member (side, "rev", field_rev);
      json_object_set_string_member (side, "by", by);
      json_object_set_object_member (conflict, "server", side);
      side = json_object_new ();
      json_object_set_member (side, "value", field_node (pushed, field->name));
      json_object_set_object_member (conflict, "yours", side);

      json_array_add_object_element ((field->flags & PROCURA_FIELD_STRICT) ? strict : overwritten, conflict);
    }

  /* money, status and score fields wait for a person */
  if (json_array_get_length (strict) > 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (strict); i++)
        {
          JsonObject *c = json_array_get_object_element (strict, i);
          JsonObject *server = json_object_get_object_member (c, "server");

          if (!add_conflict (push, "strict", entity->name, id, project_id,
                             json_object_get_string_member (c, "field"),
                             json_object_get_member (server, "value"),
                             json_object_get_int_member (server, "rev"),
                             json_object_get_string_member (server, "by"),
                             json_object_get_member (json_object_get_object_member (c, "yours"), "value"),
                             mutation_id, error))
            return NULL;
          g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", json_object_get_string_member (c, "field"));
        }
      /* the pushed values of the other fields are kept with them */
      for (guint i = 0; i < entity->n_fields; i++)
        {
          const char *name = entity->fields[i].name;
          gboolean listed = FALSE;

          if (!procura_record_is_set (changes, i))
            continue;
          for (guint j = 0; j < json_array_get_length (strict) && !listed; j++)
            listed = g_strcmp0 (json_object_get_string_member (json_array_get_object_element (strict, j), "field"),
                                name) == 0;
          if (!listed &&
              !add_conflict (push, "strict", entity->name, id, project_id, name,
                             json_object_get_member (existing_fields, name), 0, NULL,
                             json_object_get_member (pushed, name), mutation_id, error))
            return NULL;
        }

      {
        g_autofree char *reason = g_strdup_printf ("changed by someone else since revision %" G_GINT64_FORMAT ": %s",
                                                   base_rev, names->str);
        result = rejected (mutation_id, "strict_conflict", reason);
      }
      json_object_set_array_member (result, "conflicts", json_array_ref (strict));
      return result;
    }

  set_origin (push, mutation_id);
  ok = procura_store_update (push->store, changes, &write_error);
  procura_store_set_write_origin (push->store, NULL);
  if (!ok)
    return rejected (mutation_id, write_error->code == PROCURA_ERROR_NOT_FOUND ? "not_found" : "invalid",
                     write_error->message);

  for (guint i = 0; i < json_array_get_length (overwritten); i++)
    {
      JsonObject *c = json_array_get_object_element (overwritten, i);
      JsonObject *server = json_object_get_object_member (c, "server");

      if (!add_conflict (push, "overwritten", entity->name, id, project_id,
                         json_object_get_string_member (c, "field"),
                         json_object_get_member (server, "value"),
                         json_object_get_int_member (server, "rev"),
                         json_object_get_string_member (server, "by"),
                         json_object_get_member (json_object_get_object_member (c, "yours"), "value"),
                         mutation_id, error))
        return NULL;
    }

  if (json_array_get_length (overwritten) > 0)
    {
      result = result_new (mutation_id, "conflict");
      json_object_set_int_member (result, "rev", current_rev (push, entity, id));
      json_object_set_array_member (result, "conflicts", json_array_ref (overwritten));
    }
  else
    {
      result = result_new (mutation_id, procura_record_get_rev (existing) == base_rev ? "applied" : "merged");
      json_object_set_int_member (result, "rev", current_rev (push, entity, id));
    }

  return result;
}

static JsonObject *
apply_mutation (Push        *push,
                JsonObject  *mutation,
                GError     **error)
{
  const char *mutation_id = json_object_get_string_member (mutation, "mutation_id");
  const char *entity_name = json_object_get_string_member (mutation, "entity");
  const char *id = json_object_get_string_member (mutation, "id");
  const char *op = json_object_get_string_member (mutation, "op");
  gint64 base_rev = json_object_get_int_member_with_default (mutation, "base_rev", 0);
  JsonObject *fields = json_object_has_member (mutation, "fields") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (mutation, "fields"))
                       ? json_object_get_object_member (mutation, "fields") : NULL;
  const ProcuraEntityInfo *entity = procura_schema_lookup (entity_name);
  g_autoptr(ProcuraRecord) existing = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *why_not;

  if (entity == NULL)
    return rejected (mutation_id, "invalid", "unknown entity");

  existing = procura_store_get_including_deleted (push->store, entity, id, &local_error);
  if (existing == NULL && !g_error_matches (local_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL, "%s", local_error->message);
      return NULL;
    }
  g_clear_error (&local_error);

  if (fields != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "entity", entity_name);
      json_object_set_string_member (object, "id", id);
      json_object_set_object_member (object, "fields", json_object_ref (fields));
      json_node_take_object (node, object);
      changes = procura_record_from_json (node, &local_error);
      if (changes == NULL)
        return rejected (mutation_id, "invalid", local_error->message);
    }

  if ((why_not = check_permission (push, op, entity, existing, changes)) != NULL)
    return rejected (mutation_id, "forbidden", why_not);

  if (strcmp (op, "insert") == 0)
    {
      JsonObject *result;
      gboolean ok;

      if (existing != NULL)
        return rejected (mutation_id, "invalid", "a record with this id exists already");

      set_origin (push, mutation_id);
      ok = procura_store_insert (push->store, changes, &local_error);
      procura_store_set_write_origin (push->store, NULL);
      if (!ok)
        return rejected (mutation_id, local_error->code == PROCURA_ERROR_NOT_FOUND ? "not_found" : "invalid",
                         local_error->message);
      result = result_new (mutation_id, "applied");
      json_object_set_int_member (result, "rev", current_rev (push, entity, id));
      return result;
    }

  if (existing == NULL)
    return rejected (mutation_id, "not_found", "no such record");

  /* rule 4: an edit of a deleted record is kept, never lost */
  if (procura_record_get_deleted (existing))
    {
      const char *project_id = record_project (existing);

      if (fields == NULL || json_object_get_size (fields) == 0)
        {
          if (!add_conflict (push, "deleted", entity->name, id, project_id, NULL, NULL,
                             procura_record_get_rev (existing), NULL, NULL, mutation_id, error))
            return NULL;
        }
      else
        {
          g_autoptr(GList) names = json_object_get_members (fields);

          for (GList *l = names; l != NULL; l = l->next)
            if (!add_conflict (push, "deleted", entity->name, id, project_id, l->data, NULL,
                               procura_record_get_rev (existing), NULL,
                               json_object_get_member (fields, l->data), mutation_id, error))
              return NULL;
        }
      return rejected (mutation_id, "deleted", "the record has been deleted; the change is kept as a conflict");
    }

  if (strcmp (op, "update") == 0)
    return apply_update (push, mutation_id, entity, id, base_rev, fields, existing, changes, error);

  /* delete */
  {
    JsonObject *result;
    gboolean ok;

    set_origin (push, mutation_id);
    ok = procura_store_delete (push->store, entity, id, &local_error);
    procura_store_set_write_origin (push->store, NULL);
    if (!ok)
      return rejected (mutation_id, local_error->code == PROCURA_ERROR_NOT_FOUND ? "not_found" : "invalid",
                       local_error->message);
    result = result_new (mutation_id, procura_record_get_rev (existing) == base_rev ? "applied" : "merged");
    json_object_set_int_member (result, "rev", current_rev (push, entity, id));
    return result;
  }
}

/* Rule 1: the first answer to a mutation id, or NULL. */
static JsonObject *
replayed (Push        *push,
          const char  *mutation_id,
          gboolean    *other_account,
          GError     **error)
{
  sqlite3_stmt *stmt;
  JsonObject *result = NULL;

  *other_account = FALSE;
  if (!(stmt = prepare (push, "SELECT username, result FROM server_mutation WHERE mutation_id = ?", error)))
    return NULL;
  bind_text (stmt, 1, mutation_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), push->user->name) != 0)
        *other_account = TRUE;
      else
        {
          g_autoptr(JsonNode) node = json_from_string ((const char *) sqlite3_column_text (stmt, 1), NULL);

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            result = json_object_ref (json_node_get_object (node));
        }
    }
  sqlite3_finalize (stmt);

  return result;
}

static gboolean
remember (Push        *push,
          const char  *mutation_id,
          JsonObject  *result,
          GError     **error)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), result);
  g_autofree char *text = json_to_string (node, FALSE);
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare (push, "INSERT INTO server_mutation (mutation_id, username, result) VALUES (?, ?, ?)", error)))
    return FALSE;
  bind_text (stmt, 1, mutation_id);
  bind_text (stmt, 2, push->user->name);
  bind_text (stmt, 3, text);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_db_error (push, error, "remembering the mutation");
      return FALSE;
    }

  return TRUE;
}

static gboolean
audit_mutation (Push        *push,
                JsonObject  *mutation,
                JsonObject  *result,
                GError     **error)
{
  const char *status = json_object_get_string_member (result, "status");
  g_autofree char *detail = NULL;
  ProcuraAuditEntry entry = { 0 };

  if (g_strcmp0 (status, "rejected") == 0)
    detail = g_strdup_printf ("%s: %s", json_object_get_string_member (result, "error"),
                              json_object_get_string_member (result, "reason"));
  else
    {
      JsonNode *fields = json_object_get_member (mutation, "fields");
      g_autoptr(GString) names = g_string_new ("fields:");

      if (fields != NULL && JSON_NODE_HOLDS_OBJECT (fields))
        {
          g_autoptr(GList) members = json_object_get_members (json_node_get_object (fields));

          members = g_list_sort (members, (GCompareFunc) strcmp);
          for (GList *l = members; l != NULL; l = l->next)
            g_string_append_printf (names, " %s", (const char *) l->data);
        }
      g_string_append_printf (names, "; rev %" G_GINT64_FORMAT,
                              json_object_get_int_member_with_default (result, "rev", 0));
      detail = g_string_free (g_steal_pointer (&names), FALSE);
    }

  entry.at = push->now;
  entry.actor = push->user->name;
  entry.action = json_object_get_string_member (mutation, "op");
  entry.entity = json_object_get_string_member (mutation, "entity");
  entry.id = json_object_get_string_member (mutation, "id");
  entry.mutation_id = json_object_get_string_member (mutation, "mutation_id");
  entry.status = status;
  entry.detail = detail;

  return push->storage->ops->audit_append (push->storage, &entry, error);
}

char *
procura_server_apply_push (ProcuraStore             *store,
                           ProcuraServerStorage     *storage,
                           const ProcuraServerUser  *user,
                           const char               *device,
                           JsonArray                *mutations,
                           GError                  **error)
{
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *answer;
  Push push = {
    .store = store,
    .db = procura_store_get_sqlite (store),
    .storage = storage,
    .user = user,
    .device = device,
  };
  char *text = NULL;

  push.now = procura_timestamp_now ();
  if (user->role == PROCURA_ROLE_AGENCY)
    push.org_id = procura_server_agency_org_id (store, user);

  for (guint i = 0; i < json_array_get_length (mutations); i++)
    {
      JsonObject *mutation = json_array_get_object_element (mutations, i);
      const char *mutation_id = json_object_get_string_member (mutation, "mutation_id");
      g_autoptr(JsonObject) result = NULL;
      gboolean other_account = FALSE;
      GError *local_error = NULL;

      result = replayed (&push, mutation_id, &other_account, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          goto out;
        }
      if (result != NULL)
        {
          json_array_add_object_element (results, g_steal_pointer (&result));
          continue;
        }
      if (other_account)
        result = rejected (mutation_id, "invalid", "this mutation id was used by another account");
      else if ((result = apply_mutation (&push, mutation, &local_error)) == NULL)
        {
          g_propagate_error (error, local_error);
          goto out;
        }

      if (!audit_mutation (&push, mutation, result, error) ||
          (!other_account && !remember (&push, mutation_id, result, error)))
        goto out;
      json_array_add_object_element (results, g_steal_pointer (&result));
    }

  answer = json_object_new ();
  json_object_set_array_member (answer, "results", g_steal_pointer (&results));
  root = json_node_init_object (json_node_alloc (), answer);
  json_object_unref (answer);
  text = json_to_string (root, FALSE);

out:
  procura_store_set_write_origin (store, NULL);
  g_free (push.org_id);
  g_free (push.now);

  return text;
}

/* ---- resolving conflicts --------------------------------------------- */

static char *
resolved_answer (gint64      conflict_id,
                 const char *keep,
                 gint64      rev)
{
  return g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"status\":\"resolved\",\"kept\":\"%s\","
                          "\"rev\":%" G_GINT64_FORMAT "}", conflict_id, keep, rev);
}

char *
procura_server_resolve_conflict (ProcuraStore             *store,
                                 ProcuraServerStorage     *storage,
                                 const ProcuraServerUser  *user,
                                 gint64                    conflict_id,
                                 const char               *keep,
                                 GError                  **error)
{
  Push push = {
    .store = store,
    .db = procura_store_get_sqlite (store),
    .storage = storage,
    .user = user,
    .device = "server",
  };
  g_autofree char *org_id = NULL;
  g_autofree char *now = procura_timestamp_now ();
  g_autofree char *kind = NULL, *entity_name = NULL, *record_id = NULL, *field = NULL;
  g_autofree char *server_value = NULL, *yours_value = NULL, *status = NULL, *resolved_keep = NULL;
  g_autofree char *yours_by = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(ProcuraRecord) existing = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  const ProcuraEntityInfo *entity;
  const char *value_text;
  ProcuraAuditEntry entry = { 0 };
  sqlite3_stmt *stmt;
  gint64 resolved_rev = 0, rev;
  const char *why_not;
  gboolean found = FALSE;

  if (!(stmt = prepare (&push,
                        "SELECT kind, entity, record_id, field, server_value, yours_value, status, "
                        "resolved_keep, resolved_rev, yours_by FROM server_conflict WHERE id = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conflict_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      kind = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      entity_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      field = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      server_value = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      yours_value = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      status = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      resolved_keep = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      resolved_rev = sqlite3_column_int64 (stmt, 8);
      yours_by = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
    }
  sqlite3_finalize (stmt);

  entity = found ? procura_schema_lookup (entity_name) : NULL;
  if (entity != NULL)
    existing = procura_store_get_including_deleted (store, entity, record_id, NULL);
  if (user->role == PROCURA_ROLE_AGENCY)
    push.org_id = org_id = procura_server_agency_org_id (store, user);
  /* what the account may not see does not exist for it */
  if (existing == NULL ||
      (user->role == PROCURA_ROLE_AGENCY &&
       !project_is_own (&push, record_project (existing)) &&
       g_strcmp0 (procura_record_get_id (existing), org_id) != 0))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND, "no such conflict");
      return NULL;
    }

  /* a retried request: the same answer */
  if (g_strcmp0 (status, "open") != 0)
    {
      if (g_strcmp0 (resolved_keep, keep) == 0)
        return resolved_answer (conflict_id, keep, resolved_rev);
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_BAD_REQUEST,
                   "the conflict was resolved already, keeping the %s value", resolved_keep);
      return NULL;
    }

  /* the value the record must hold afterwards; NULL: it holds it now */
  if (strcmp (kind, "overwritten") == 0)
    value_text = strcmp (keep, "server") == 0 ? server_value : NULL;
  else
    value_text = strcmp (keep, "yours") == 0 ? yours_value : NULL;

  if (value_text != NULL && (field == NULL || procura_record_get_deleted (existing)))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_BAD_REQUEST,
                   "the record has been deleted: only \"server\" can be kept");
      return NULL;
    }

  /* Keeping the value a record holds writes nothing, but it is still a
   * decision on that field: an agency makes it only where it could have
   * written the value itself (product.md §4), or it could dismiss the
   * purchasing unit's pending change to one of its projects — unless the
   * conflict is of its own push, which it may always withdraw. */
  if (value_text == NULL && user->role == PROCURA_ROLE_AGENCY && g_strcmp0 (yours_by, user->name) != 0)
    {
      const char *kept = strcmp (keep, "server") == 0 ? server_value : yours_value;
      g_autoptr(ProcuraRecord) decided = NULL;

      if (field != NULL)
        {
          g_autofree char *json = g_strdup_printf ("{\"entity\":\"%s\",\"id\":\"%s\",\"fields\":{\"%s\":%s}}",
                                                   entity->name, record_id, field, kept != NULL ? kept : "null");
          g_autoptr(JsonNode) node = json_from_string (json, NULL);

          decided = node != NULL ? procura_record_from_json (node, NULL) : NULL;
          if (decided == NULL)
            {
              g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL, "a kept value does not parse");
              return NULL;
            }
        }
      if ((why_not = check_permission (&push, field != NULL ? "update" : "delete", entity, existing, decided)) != NULL)
        {
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_FORBIDDEN, "%s", why_not);
          return NULL;
        }
    }

  if (value_text != NULL)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *json = g_strdup_printf ("{\"entity\":\"%s\",\"id\":\"%s\",\"fields\":{\"%s\":%s}}",
                                               entity->name, record_id, field, value_text);
      gboolean ok;

      node = json_from_string (json, NULL);
      changes = node != NULL ? procura_record_from_json (node, &local_error) : NULL;
      if (changes == NULL)
        {
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL, "a kept value does not parse");
          return NULL;
        }
      if ((why_not = check_permission (&push, "update", entity, existing, changes)) != NULL)
        {
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_FORBIDDEN, "%s", why_not);
          return NULL;
        }
      set_origin (&push, NULL);
      ok = procura_store_update (store, changes, &local_error);
      procura_store_set_write_origin (store, NULL);
      if (!ok)
        {
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_BAD_REQUEST, "%s", local_error->message);
          return NULL;
        }
    }
  else if (user->role != PROCURA_ROLE_OFFICER && user->role != PROCURA_ROLE_AGENCY)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_FORBIDDEN,
                   "this account may read records but not change them");
      return NULL;
    }

  rev = current_rev (&push, entity, record_id);
  if (!(stmt = prepare (&push,
                        "UPDATE server_conflict SET status = 'resolved', resolved_keep = ?, resolved_by = ?, "
                        "resolved_at = ?, resolved_rev = ? WHERE id = ?", error)))
    return NULL;
  bind_text (stmt, 1, keep);
  bind_text (stmt, 2, user->name);
  bind_text (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, rev);
  sqlite3_bind_int64 (stmt, 5, conflict_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (&push, error, "closing the conflict");
      sqlite3_finalize (stmt);
      return NULL;
    }
  sqlite3_finalize (stmt);

  detail = g_strdup_printf ("conflict %" G_GINT64_FORMAT " (%s) on %s kept %s; rev %" G_GINT64_FORMAT,
                            conflict_id, kind, field != NULL ? field : "the record", keep, rev);
  entry.at = now;
  entry.actor = user->name;
  entry.action = "resolve";
  entry.entity = entity->name;
  entry.id = record_id;
  entry.status = "ok";
  entry.detail = detail;
  if (!storage->ops->audit_append (storage, &entry, error))
    return NULL;

  return resolved_answer (conflict_id, keep, rev);
}
