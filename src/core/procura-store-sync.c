/* procura-store-sync.c — the store's side of sync
 *
 * Pulled records are not local edits: the server already validated them
 * against the same rules, and they may arrive in an order the local rules
 * would refuse (a child before its parent, a state reached through steps
 * this client never saw). So they do not go through procura_store_insert/
 * update/delete but through write_remote() below, which writes the row,
 * a change row (author "server", device "server") and one history row per
 * changed field — and no outbox row. Foreign keys are not enforced for
 * pulled pages: the server's feed is in order of last write, so a parent
 * written after its children (a project updated after its milestones) comes
 * pages after them, and a fresh client must take the children first. A
 * complete pull leaves nothing dangling; the server keeps the keys.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-json.h"
#include "procura-store-private.h"
#include "procura-store-sync.h"

#define REMOTE_ACTOR  "server"
#define REMOTE_DEVICE "server"

/* ---- sync state ------------------------------------------------------ */

char *
procura_store_sync_get_state (ProcuraStore  *self,
                              const char    *key,
                              GError       **error)
{
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!(stmt = _procura_store_prepare (self, "SELECT value FROM sync_state WHERE key = ?", error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    _procura_store_set_sqlite_error (self, error, _("reading the sync state"));
  sqlite3_reset (stmt);

  return value;
}

gboolean
procura_store_sync_set_state (ProcuraStore  *self,
                              const char    *key,
                              const char    *value,
                              GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (value != NULL)
    stmt = _procura_store_prepare (self,
                                   "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = ?2",
                                   error);
  else
    stmt = _procura_store_prepare (self, "DELETE FROM sync_state WHERE key = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("saving the sync state"));
      return FALSE;
    }

  return TRUE;
}

/* ---- small helpers --------------------------------------------------- */

static gboolean
exec_bound (ProcuraStore  *self,
            sqlite3_stmt  *stmt,
            const char    *what,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _procura_store_set_sqlite_error (self, error, what);
      return FALSE;
    }

  return TRUE;
}

static void
protocol_error (GError     **error,
                const char  *what)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               _("Sync: the server’s answer is malformed (%s)"), what);
}

/* A version-7 UUID (RFC 9562) for the change rows of pulled records, as
 * procura-store.c makes them for local writes: time-ordered, so the
 * unique index on change.mutation_id grows at one end. A random (v4) id
 * put each of a large pull's inserts somewhere else in that index. */
static char *
new_ordered_uuid (void)
{
  guint64 ms = (guint64) (g_get_real_time () / 1000);
  guint8 b[16];

  for (guint i = 0; i < 6; i++)
    b[i] = (ms >> (40 - 8 * i)) & 0xff;
  for (guint i = 6; i < 16; i += 4)
    {
      guint32 r = g_random_int ();
      memcpy (&b[i], &r, MIN (4, 16 - i));
    }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;

  {
    static const char digits[] = "0123456789abcdef";
    char *text = g_malloc (37);
    char *p = text;

    for (guint i = 0; i < 16; i++)
      {
        if (i == 4 || i == 6 || i == 8 || i == 10)
          *p++ = '-';
        *p++ = digits[b[i] >> 4];
        *p++ = digits[b[i] & 0xf];
      }
    *p = '\0';
    return text;
  }
}

/* The SQL of remote writes, per entity, built once for the process: a
 * pull writes hundreds of thousands of records, and formatting these
 * statements for each one was a good part of the client's time. */
typedef struct
{
  char *select;   /* the row by id, columns of _procura_store_select_columns() */
  char *insert;   /* id, rev, deleted, created_at, updated_at, fields… */
  char *update;   /* rev, deleted, updated_at, fields…, id */
  char *bump_rev; /* rev, id */
} EntitySql;

static const EntitySql *
entity_sql (const ProcuraEntityInfo *entity)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *built = g_hash_table_new (NULL, NULL);
      const ProcuraEntityInfo * const *all;
      guint n_all;

      all = procura_schema_entities (&n_all);
      for (guint e = 0; e < n_all; e++)
        {
          const ProcuraEntityInfo *info = all[e];
          EntitySql *sql = g_new0 (EntitySql, 1);
          g_autofree char *columns = _procura_store_select_columns (info, NULL);
          GString *insert = g_string_new (NULL);
          GString *update = g_string_new (NULL);

          sql->select = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", columns, info->name);

          g_string_append_printf (insert, "INSERT INTO %s (id, rev, deleted, created_at, updated_at", info->name);
          for (guint i = 0; i < info->n_fields; i++)
            g_string_append_printf (insert, ", %s", info->fields[i].name);
          g_string_append (insert, ") VALUES (?, ?, ?, ?, ?");
          for (guint i = 0; i < info->n_fields; i++)
            g_string_append (insert, ", ?");
          g_string_append (insert, ")");
          sql->insert = g_string_free (insert, FALSE);

          g_string_append_printf (update, "UPDATE %s SET rev = ?, deleted = ?, updated_at = ?", info->name);
          for (guint i = 0; i < info->n_fields; i++)
            g_string_append_printf (update, ", %s = ?", info->fields[i].name);
          g_string_append (update, " WHERE id = ?");
          sql->update = g_string_free (update, FALSE);

          sql->bump_rev = g_strdup_printf ("UPDATE %s SET rev = max(rev, ?) WHERE id = ?", info->name);
          g_hash_table_insert (built, (gpointer) info, sql);
        }
      g_once_init_leave (&table, built);
    }

  return g_hash_table_lookup (table, entity);
}

/* A wire value (a member of "fields") as history keeps it: the wire form
 * of procura-json.h already is that text for every type. */
static char *
json_value_to_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return json_to_string (node, FALSE);

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return json_to_string (node, FALSE);
    }
}

static char *
fields_to_text (JsonObject *fields)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), fields);

  return json_to_string (node, FALSE);
}

static JsonObject *
parse_fields (const char  *text,
              GError     **error)
{
  g_autoptr(JsonNode) node = json_from_string (text, error);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Outbox: a queued change is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (node));
}

/* A statement of the store's cache, looked up first in cache (by the
 * address of its SQL text, which must be static): a page's records use
 * the same few statements thousands of times, and the store's cache hashes
 * the whole text each time. cache may be NULL. */
static sqlite3_stmt *
prepare_cached (ProcuraStore  *self,
                GHashTable    *cache,
                const char    *sql,
                GError       **error)
{
  sqlite3_stmt *stmt;

  if (cache != NULL && (stmt = g_hash_table_lookup (cache, sql)) != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  stmt = _procura_store_prepare (self, sql, error);
  if (stmt != NULL && cache != NULL)
    g_hash_table_insert (cache, (gpointer) sql, stmt);

  return stmt;
}

/* A record of the entity, tombstones included, straight from its table:
 * not through procura_store_get(), whose per-transaction cache would not
 * see the writes made here. NULL when there is none. */
static ProcuraRecord *
read_local_cached (ProcuraStore             *self,
                   GHashTable               *cache,
                   const ProcuraEntityInfo  *entity,
                   const char               *id,
                   GError                  **error)
{
  sqlite3_stmt *stmt;
  ProcuraRecord *record = NULL;
  int rc;

  if (!(stmt = prepare_cached (self, cache, entity_sql (entity)->select, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = _procura_store_record_from_row (entity, stmt);
  else if (rc != SQLITE_DONE)
    _procura_store_set_sqlite_error (self, error, _("reading a record"));
  sqlite3_reset (stmt);

  return record;
}

static ProcuraRecord *
read_local (ProcuraStore             *self,
            const ProcuraEntityInfo  *entity,
            const char               *id,
            GError                  **error)
{
  return read_local_cached (self, NULL, entity, id, error);
}

/* Fields with unpushed edits of the record (a set of names), and whether
 * an unpushed insert or delete of it is queued. */
static GHashTable *
pending_fields (ProcuraStore  *self,
                const char    *entity_name,
                const char    *id,
                gboolean      *out_insert,
                gboolean      *out_delete,
                GError       **error)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  *out_insert = *out_delete = FALSE;

  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT op, fields FROM outbox WHERE record_id = ? AND entity = ? "
                                       "ORDER BY change_id",
                                       error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, entity_name, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *op = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(JsonObject) object = NULL;
      g_autoptr(GList) names = NULL;

      if (strcmp (op, "insert") == 0)
        *out_insert = TRUE;
      else if (strcmp (op, "delete") == 0)
        *out_delete = TRUE;

      if (!(object = parse_fields ((const char *) sqlite3_column_text (stmt, 1), error)))
        {
          sqlite3_reset (stmt);
          return NULL;
        }
      names = json_object_get_members (object);
      for (GList *l = names; l != NULL; l = l->next)
        g_hash_table_add (fields, g_strdup (l->data));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the outbox"));
      return NULL;
    }

  return g_steal_pointer (&fields);
}

static const char *
project_of (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  if (strcmp (entity->name, "project") == 0)
    return procura_record_get_id (record);
  if (entity->project_scoped)
    return procura_record_get_string (record, "project_id");

  return NULL;
}

static gboolean
append_history (ProcuraStore  *self,
                gint64         change_id,
                const char    *field,
                const char    *old_text,
                const char    *new_text,
                GError       **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self,
                                       "INSERT INTO history (change_id, field, old_value, new_value) "
                                       "VALUES (?, ?, ?, ?)",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);
  sqlite3_bind_text (stmt, 2, field, -1, SQLITE_TRANSIENT);
  if (old_text != NULL)
    sqlite3_bind_text (stmt, 3, old_text, -1, SQLITE_TRANSIENT);
  if (new_text != NULL)
    sqlite3_bind_text (stmt, 4, new_text, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("recording the history"), error);
}

/* The history rows of the changed fields, in one statement: a pulled
 * record has a dozen of them, and a statement per row cost more than the
 * rows themselves. */
static gboolean
append_field_history (ProcuraStore             *self,
                      GHashTable               *cache,
                      gint64                    change_id,
                      const ProcuraEntityInfo  *entity,
                      const gboolean           *changed,
                      guint                     n_changed,
                      const ProcuraRecord      *old,
                      const ProcuraRecord      *target,
                      GError                  **error)
{
  /* the statements for 1…HISTORY_ROWS_MAX rows, made once per process */
#define HISTORY_ROWS_MAX 64
  static char *sql_for[HISTORY_ROWS_MAX + 1];
  static gsize sql_init;
  sqlite3_stmt *stmt;
  guint done = 0;

  if (g_once_init_enter (&sql_init))
    {
      for (guint k = 1; k <= HISTORY_ROWS_MAX; k++)
        {
          GString *sql = g_string_new ("INSERT INTO history (change_id, field, old_value, new_value) VALUES ");

          for (guint r = 0; r < k; r++)
            g_string_append (sql, r == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)");
          sql_for[k] = g_string_free (sql, FALSE);
        }
      g_once_init_leave (&sql_init, 1);
    }

  while (done < n_changed)
    {
      guint k = MIN (n_changed - done, HISTORY_ROWS_MAX);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
      guint row = 0;
      guint skipped = 0;

      if (!(stmt = prepare_cached (self, cache, sql_for[k], error)))
        return FALSE;
      for (guint i = 0; i < entity->n_fields && row < k; i++)
        {
          const ProcuraFieldInfo *field = &entity->fields[i];
          char *old_text = NULL;
          char *new_text;
          int col = 1 + 4 * (int) row;

          if (!changed[i])
            continue;
          if (skipped < done)
            {
              skipped++;
              continue;
            }
          if (old != NULL)
            old_text = procura_field_value_to_text (field, procura_record_get_value (old, i));
          new_text = procura_field_value_to_text (field, procura_record_get_value (target, i));
          g_ptr_array_add (texts, old_text);
          g_ptr_array_add (texts, new_text);
          sqlite3_bind_int64 (stmt, col, change_id);
          sqlite3_bind_text (stmt, col + 1, field->name, -1, SQLITE_STATIC);
          if (old_text != NULL)
            sqlite3_bind_text (stmt, col + 2, old_text, -1, SQLITE_STATIC);
          if (new_text != NULL)
            sqlite3_bind_text (stmt, col + 3, new_text, -1, SQLITE_STATIC);
          row++;
        }
      g_assert (row == k);
      if (!exec_bound (self, stmt, _("recording the history"), error))
        return FALSE;
      done += k;
    }

  return TRUE;
#undef HISTORY_ROWS_MAX
}

/* Writes target (every field set) as the record's state, without rules
 * and without queueing it: the row, its rev, and — when anything changed —
 * a change row by actor with one history row per changed field (and one
 * for "deleted" when that flips). old is the local row or NULL. */
/* _procura_bind_value() without copying: the values outlive the step */
static void
bind_value_static (sqlite3_stmt           *stmt,
                   int                     col,
                   GVariant               *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, col);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    sqlite3_bind_text (stmt, col, g_variant_get_string (value, NULL), -1, SQLITE_STATIC);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    sqlite3_bind_int (stmt, col, g_variant_get_boolean (value) ? 1 : 0);
  else
    sqlite3_bind_int64 (stmt, col, g_variant_get_int64 (value));
}

/* cache: prepare_cached()'s, or NULL; at: the time of the change row, or
 * NULL for now */
static gboolean
write_remote (ProcuraStore         *self,
              GHashTable           *cache,
              const ProcuraRecord  *old,
              const ProcuraRecord  *target,
              gint64                rev,
              const char           *actor,
              const char           *at,
              GError              **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (target);
  const EntitySql *entity_statements = entity_sql (entity);
  const char *id = procura_record_get_id (target);
  g_autofree gboolean *changed = g_new0 (gboolean, entity->n_fields);
  g_autofree char *own_now = at == NULL ? procura_timestamp_now () : NULL;
  const char *now = at != NULL ? at : own_now;
  g_autofree char *mutation_id = NULL;
  const char *updated_at = procura_record_get_updated_at (target);
  gboolean deleted = procura_record_get_deleted (target);
  gboolean deleted_flipped = old != NULL && procura_record_get_deleted (old) != deleted;
  const char *op;
  sqlite3_stmt *stmt;
  guint n_changed = 0;
  gint64 change_id;
  int col;

  if (updated_at == NULL)
    updated_at = now;

  for (guint i = 0; i < entity->n_fields; i++)
    {
      GVariant *value = procura_record_get_value (target, i);

      changed[i] = old != NULL ? !procura_field_value_equal (procura_record_get_value (old, i), value)
                               : value != NULL;
      n_changed += changed[i] ? 1 : 0;
    }

  if (old == NULL)
    {
      if (!(stmt = prepare_cached (self, cache, entity_statements->insert, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, rev);
      sqlite3_bind_int (stmt, 3, deleted ? 1 : 0);
      sqlite3_bind_text (stmt, 4, updated_at, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, updated_at, -1, SQLITE_STATIC);
      col = 6;
    }
  else if (n_changed == 0 && !deleted_flipped)
    {
      /* nothing new: only the revision may move (our own push coming back) */
      if (!(stmt = prepare_cached (self, cache, entity_statements->bump_rev, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, rev);
      sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
      return exec_bound (self, stmt, _("saving the record"), error);
    }
  else
    {
      if (!(stmt = prepare_cached (self, cache, entity_statements->update, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, MAX (rev, procura_record_get_rev (old)));
      sqlite3_bind_int (stmt, 2, deleted ? 1 : 0);
      sqlite3_bind_text (stmt, 3, updated_at, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4 + entity->n_fields, id, -1, SQLITE_TRANSIENT);
      col = 4;
    }

  for (guint i = 0; i < entity->n_fields; i++)
    bind_value_static (stmt, col + i, procura_record_get_value (target, i));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (_procura_store_get_db (self)) == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                     _("%s “%s” from the server: a unique value is already used by a local record"),
                     procura_entity_get_label (entity), id);
      else
        _procura_store_set_sqlite_error (self, error, _("saving a pulled record"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  if (old == NULL && deleted)
    return TRUE;  /* a tombstone this client never saw alive: nothing to tell */

  op = old == NULL ? "insert" : (deleted_flipped && deleted) ? "delete" : "update";
  mutation_id = new_ordered_uuid ();
  if (!(stmt = prepare_cached (self, cache,
                               "INSERT INTO change (mutation_id, entity, record_id, project_id, op, "
                               "actor, device, at, base_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, entity->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  if (project_of (target) != NULL)
    sqlite3_bind_text (stmt, 4, project_of (target), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, op, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, REMOTE_DEVICE, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, old != NULL ? procura_record_get_rev (old) : 0);
  if (!exec_bound (self, stmt, _("recording the change"), error))
    return FALSE;
  change_id = sqlite3_last_insert_rowid (_procura_store_get_db (self));

  if (deleted_flipped &&
      !append_history (self, change_id, "deleted",
                       deleted ? "false" : "true", deleted ? "true" : "false", error))
    return FALSE;

  return append_field_history (self, cache, change_id, entity, changed, n_changed, old, target, error);
}

static gboolean
set_shadow (ProcuraStore  *self,
            const char    *entity_name,
            const char    *id,
            const char    *field,
            const char    *value,
            gint64         rev,
            GError       **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self,
                                       "INSERT INTO shadow (entity, record_id, field, value, rev) "
                                       "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (record_id, field) "
                                       "DO UPDATE SET value = ?4, rev = ?5",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, entity_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 4, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, rev);

  return exec_bound (self, stmt, _("saving the sync state"), error);
}

static gboolean
clear_shadow (ProcuraStore  *self,
              const char    *id,
              const char    *field,
              GError       **error)
{
  sqlite3_stmt *stmt;

  if (field != NULL)
    stmt = _procura_store_prepare (self, "DELETE FROM shadow WHERE record_id = ? AND field = ?", error);
  else
    stmt = _procura_store_prepare (self, "DELETE FROM shadow WHERE record_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  if (field != NULL)
    sqlite3_bind_text (stmt, 2, field, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("saving the sync state"), error);
}

/* The server's value of a field that a pull could not apply; FALSE when
 * none is kept. */
static gboolean
get_shadow (ProcuraStore  *self,
            const char    *id,
            const char    *field,
            char         **out_value,
            gint64        *out_rev)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self,
                                               "SELECT value, rev FROM shadow WHERE record_id = ? AND field = ?",
                                               NULL);
  gboolean found = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, field, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *out_rev = sqlite3_column_int64 (stmt, 1);
      found = TRUE;
    }
  sqlite3_reset (stmt);

  return found;
}

/* ---- the outbox ------------------------------------------------------ */

JsonArray *
procura_store_sync_list_outbox (ProcuraStore  *self,
                                guint          limit,
                                GError       **error)
{
  g_autoptr(JsonArray) mutations = json_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);

  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT mutation_id, entity, record_id, op, base_rev, fields "
                                       "FROM outbox ORDER BY change_id LIMIT ?",
                                       error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *mutation = json_object_new ();
      JsonObject *fields;

      json_array_add_object_element (mutations, mutation);
      json_object_set_string_member (mutation, "mutation_id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (mutation, "entity", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (mutation, "id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (mutation, "op", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_int_member (mutation, "base_rev", sqlite3_column_int64 (stmt, 4));
      if (!(fields = parse_fields ((const char *) sqlite3_column_text (stmt, 5), error)))
        {
          sqlite3_reset (stmt);
          return NULL;
        }
      json_object_set_object_member (mutation, "fields", fields);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the outbox"));
      return NULL;
    }

  return g_steal_pointer (&mutations);
}

gint64
procura_store_sync_count_outbox (ProcuraStore  *self,
                                 GError       **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;

  g_return_val_if_fail (PROCURA_IS_STORE (self), -1);

  if (!(stmt = _procura_store_prepare (self, "SELECT count(*) FROM outbox", error)))
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  else
    _procura_store_set_sqlite_error (self, error, _("reading the outbox"));
  sqlite3_reset (stmt);

  return n;
}

typedef struct
{
  gint64      change_id;
  char       *mutation_id;
  const ProcuraEntityInfo *entity;
  char       *record_id;
  char       *op;
  gint64      base_rev;
  JsonObject *fields;
} OutboxRow;

static void
outbox_row_clear (OutboxRow *row)
{
  g_clear_pointer (&row->mutation_id, g_free);
  g_clear_pointer (&row->record_id, g_free);
  g_clear_pointer (&row->op, g_free);
  g_clear_pointer (&row->fields, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OutboxRow, outbox_row_clear)

/* FALSE with no error: no such row (already acknowledged). */
static gboolean
read_outbox_row (ProcuraStore  *self,
                 const char    *mutation_id,
                 OutboxRow     *row,
                 GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT change_id, entity, record_id, op, base_rev, fields "
                                       "FROM outbox WHERE mutation_id = ?",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, mutation_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc != SQLITE_DONE)
        _procura_store_set_sqlite_error (self, error, _("reading the outbox"));
      sqlite3_reset (stmt);
      return FALSE;
    }

  row->change_id = sqlite3_column_int64 (stmt, 0);
  row->mutation_id = g_strdup (mutation_id);
  row->entity = procura_schema_lookup ((const char *) sqlite3_column_text (stmt, 1));
  row->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  row->op = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  row->base_rev = sqlite3_column_int64 (stmt, 4);
  row->fields = parse_fields ((const char *) sqlite3_column_text (stmt, 5), error);
  sqlite3_reset (stmt);

  if (row->fields == NULL)
    return FALSE;
  if (row->entity == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Outbox: a queued change names an unknown kind of record"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
delete_outbox_row (ProcuraStore  *self,
                   gint64         change_id,
                   GError       **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self, "DELETE FROM outbox WHERE change_id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);

  return exec_bound (self, stmt, _("updating the outbox"), error);
}

static gboolean
insert_conflict (ProcuraStore     *self,
                 const char       *kind,
                 const OutboxRow  *row,
                 const char       *field,
                 const char       *local_value,
                 const char       *server_value,
                 const char       *server_by,
                 gint64            server_rev,
                 const char       *kept,
                 const char       *error_code,
                 const char       *reason,
                 GError          **error)
{
  g_autofree char *now = procura_timestamp_now ();
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self,
                                       "INSERT INTO conflict (kind, mutation_id, change_id, entity, record_id, op, "
                                       "field, local_value, server_value, server_by, server_rev, kept, error, "
                                       "reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row->mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, row->change_id);
  sqlite3_bind_text (stmt, 4, row->entity->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, row->record_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, row->op, -1, SQLITE_TRANSIENT);
#define BIND_OPT_TEXT(n, v) if ((v) != NULL) sqlite3_bind_text (stmt, (n), (v), -1, SQLITE_TRANSIENT)
  BIND_OPT_TEXT (7, field);
  BIND_OPT_TEXT (8, local_value);
  BIND_OPT_TEXT (9, server_value);
  BIND_OPT_TEXT (10, server_by);
  if (server_rev > 0)
    sqlite3_bind_int64 (stmt, 11, server_rev);
  BIND_OPT_TEXT (12, kept);
  BIND_OPT_TEXT (13, error_code);
  BIND_OPT_TEXT (14, reason);
#undef BIND_OPT_TEXT
  sqlite3_bind_text (stmt, 15, now, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("recording a sync conflict"), error);
}

/* Sets one field of the local record to the server's value (history text)
 * as a remote write — unless a later unpushed edit of the field is queued,
 * which then stays the local value. */
static gboolean
set_field_from_server (ProcuraStore             *self,
                       const ProcuraEntityInfo  *entity,
                       const char               *id,
                       const char               *field_name,
                       const char               *text,
                       const char               *actor,
                       GError                  **error)
{
  g_autoptr(ProcuraRecord) old = NULL;
  g_autoptr(ProcuraRecord) target = NULL;
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(GError) local_error = NULL;
  const ProcuraFieldInfo *field = procura_entity_lookup_field (entity, field_name);
  int index = procura_entity_field_index (entity, field_name);
  gboolean pending_insert, pending_delete;

  if (field == NULL)
    return TRUE;  /* not a field this client knows: nothing to show it in */

  if (!(old = read_local (self, entity, id, &local_error)))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  if (!(pending = pending_fields (self, entity->name, id, &pending_insert, &pending_delete, error)))
    return FALSE;
  if (g_hash_table_contains (pending, field_name))
    return TRUE;

  target = procura_record_copy (old);
  {
    g_autoptr(GVariant) value = text != NULL ? procura_field_value_from_text (field, text) : NULL;

    procura_record_set_value (target, index, value);
  }

  return write_remote (self, NULL, old, target, procura_record_get_rev (old), actor, NULL, error);
}

/* The record's deleted flag as a remote write. */
static gboolean
set_deleted_locally (ProcuraStore             *self,
                     const ProcuraEntityInfo  *entity,
                     const char               *id,
                     gboolean                  deleted,
                     GError                  **error)
{
  g_autoptr(ProcuraRecord) old = NULL;
  g_autoptr(ProcuraRecord) target = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(old = read_local (self, entity, id, &local_error)))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }
  if (procura_record_get_deleted (old) == deleted)
    return TRUE;

  target = procura_record_copy (old);
  procura_record_set_deleted (target, deleted);
  procura_record_set_updated_at (target, NULL);

  return write_remote (self, NULL, old, target, procura_record_get_rev (old), REMOTE_ACTOR, NULL, error);
}

/* The value a field had before the queued change row changed it: what the
 * server had, as far as this client knows. */
static char *
history_old_value (ProcuraStore *self,
                   gint64        change_id,
                   const char   *field)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self,
                                               "SELECT old_value FROM history WHERE change_id = ? AND field = ?",
                                               NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, change_id);
  sqlite3_bind_text (stmt, 2, field, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  return value;
}

/* The local consequences of a refused write undone. Cascades are not
 * queued (the server derives them), so when the write that caused them is
 * refused nothing else would ever put their records back: a tranche made
 * payable by an acceptance the server refused would stay payable here
 * only. A write's cascades are the change rows right after its own, in
 * the same transaction (same time), that are neither queued nor pulled;
 * each field they set goes back to its value before, unless it has
 * changed since. */
static gboolean
revert_cascades (ProcuraStore  *self,
                 gint64         change_id,
                 GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT c.entity, c.record_id, h.field, h.old_value, h.new_value "
                                       "FROM change c JOIN history h ON h.change_id = c.id "
                                       "WHERE c.id > ?1 AND c.at = (SELECT at FROM change WHERE id = ?1) "
                                       "AND c.actor <> '" REMOTE_ACTOR "' "
                                       "AND c.id < coalesce((SELECT min(n.id) FROM change n WHERE n.id > ?1 "
                                       "  AND (n.actor = '" REMOTE_ACTOR "' OR n.at <> c.at "
                                       "       OR EXISTS (SELECT 1 FROM outbox o WHERE o.change_id = n.id))), "
                                       "  9223372036854775807) "
                                       "ORDER BY c.id DESC",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      char **row = g_new0 (char *, 6);

      for (int i = 0; i < 5; i++)
        row[i] = g_strdup ((const char *) sqlite3_column_text (stmt, i));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the history"));
      return FALSE;
    }

  /* latest first, so a field a cascade set twice ends at its first old value */
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      const ProcuraEntityInfo *entity = procura_schema_lookup (row[0]);
      const ProcuraFieldInfo *field = entity != NULL ? procura_entity_lookup_field (entity, row[2]) : NULL;
      g_autoptr(ProcuraRecord) current = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *now = NULL;

      if (field == NULL)
        continue;
      if (!(current = read_local (self, entity, row[1], &local_error)))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          continue;
        }
      now = procura_field_value_to_text (field, procura_record_get_value (current, procura_entity_field_index (entity, row[2])));
      if (g_strcmp0 (now, row[4]) != 0)
        continue;  /* changed since: not the cascade's any more */
      if (!set_field_from_server (self, entity, row[1], row[2], row[3], REMOTE_ACTOR, error))
        return FALSE;
    }

  return TRUE;
}

/* A refused mutation leaves the outbox, so it no longer blocks the ones
 * after it, and goes to the conflict table: one row per field with your
 * value and the server's (a refused insert: one row with every field, the
 * record staying local; a refused delete: one row "deleted"). The local
 * record goes back to the server's state — the value a pull had to leave
 * alone (shadow), else the value before your edit (history) — so what
 * people see is what the server has, and their own values wait in the
 * conflict list to be restored ("conflicts resolve ID --keep mine"). */
static gboolean
reject_mutation (ProcuraStore     *self,
                 const OutboxRow  *row,
                 const char       *error_code,
                 const char       *reason,
                 JsonArray        *conflicts,
                 GError          **error)
{
  /* an edit of a record deleted on the server: the delete stands (the
   * pull brings the tombstone); the edit is kept as a conflict */
  gboolean restore = g_strcmp0 (error_code, "deleted") != 0;

  if (!delete_outbox_row (self, row->change_id, error) ||
      !revert_cascades (self, row->change_id, error))
    return FALSE;

  if (strcmp (row->op, "insert") == 0)
    {
      g_autofree char *values = fields_to_text (row->fields);

      return insert_conflict (self, "rejected", row, NULL, values, NULL, NULL, 0, NULL,
                              error_code, reason, error);
    }

  if (strcmp (row->op, "delete") == 0)
    {
      if (!insert_conflict (self, "rejected", row, "deleted", "true", "false", NULL, 0, NULL,
                            error_code, reason, error))
        return FALSE;
      return !restore || set_deleted_locally (self, row->entity, row->record_id, FALSE, error);
    }

  {
    g_autoptr(GList) names = json_object_get_members (row->fields);

    for (GList *l = names; l != NULL; l = l->next)
      {
        const char *name = l->data;
        g_autofree char *mine = json_value_to_text (json_object_get_member (row->fields, name));
        g_autofree char *theirs = NULL;
        const char *by = NULL;
        gint64 server_rev = 0;
        JsonObject *reported = NULL;

        /* what the server says it has, else what a pull left aside, else
         * what the field was before the edit */
        for (guint i = 0; conflicts != NULL && i < json_array_get_length (conflicts); i++)
          {
            JsonNode *node = json_array_get_element (conflicts, i);

            if (JSON_NODE_HOLDS_OBJECT (node) &&
                g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "field", NULL),
                           name) == 0)
              reported = json_node_get_object (node);
          }
        if (reported != NULL && json_object_has_member (reported, "server") &&
            JSON_NODE_HOLDS_OBJECT (json_object_get_member (reported, "server")))
          {
            JsonObject *server = json_object_get_object_member (reported, "server");

            theirs = json_value_to_text (json_object_get_member (server, "value"));
            by = json_object_get_string_member_with_default (server, "by", NULL);
            server_rev = json_object_get_int_member_with_default (server, "rev", 0);
          }
        else if (!get_shadow (self, row->record_id, name, &theirs, &server_rev))
          theirs = history_old_value (self, row->change_id, name);

        if (!insert_conflict (self, "rejected", row, name, mine, theirs, by, server_rev, NULL,
                              error_code, reason, error))
          return FALSE;
        if (restore &&
            !set_field_from_server (self, row->entity, row->record_id, name, theirs, REMOTE_ACTOR, error))
          return FALSE;
        if (!clear_shadow (self, row->record_id, name, error))
          return FALSE;
      }
  }

  return TRUE;
}

/* The server took the mutation. Neither the record's rev nor the base_rev
 * of its later queued edits move to the answer's rev: that rev also
 * covers other people's writes this device has not pulled yet, and taking
 * it for seen would let a later edit overwrite them without a conflict
 * (a strict field included). The device's own writes need no rebase — the
 * server never takes them for someone else's (docs/PROTOCOL.md) — and the
 * next pull brings the record at its new rev. */
static gboolean
ack_mutation (ProcuraStore     *self,
              const OutboxRow  *row,
              gint64            rev,
              GError          **error)
{
  g_autoptr(GList) names = NULL;

  if (!delete_outbox_row (self, row->change_id, error))
    return FALSE;

  /* the server took these values: what a pull left aside is older */
  names = json_object_get_members (row->fields);
  for (GList *l = names; l != NULL; l = l->next)
    if (!clear_shadow (self, row->record_id, l->data, error))
      return FALSE;

  return TRUE;
}

static gboolean
record_reported_conflicts (ProcuraStore     *self,
                           const OutboxRow  *row,
                           gint64            rev,
                           JsonArray        *conflicts,
                           GError          **error)
{
  for (guint i = 0; conflicts != NULL && i < json_array_get_length (conflicts); i++)
    {
      JsonNode *node = json_array_get_element (conflicts, i);
      JsonObject *c, *server, *yours;
      const char *field, *kept;
      g_autofree char *server_value = NULL;
      g_autofree char *your_value = NULL;
      const char *by = NULL;
      gint64 server_rev = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          protocol_error (error, "conflicts");
          return FALSE;
        }
      c = json_node_get_object (node);
      field = json_object_get_string_member_with_default (c, "field", NULL);
      kept = json_object_get_string_member_with_default (c, "kept", NULL);
      if (field == NULL || kept == NULL)
        {
          protocol_error (error, "conflicts");
          return FALSE;
        }

      if (json_object_has_member (c, "server") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (c, "server")))
        {
          server = json_object_get_object_member (c, "server");
          server_value = json_value_to_text (json_object_get_member (server, "value"));
          by = json_object_get_string_member_with_default (server, "by", NULL);
          server_rev = json_object_get_int_member_with_default (server, "rev", 0);
        }
      if (json_object_has_member (c, "yours") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (c, "yours")))
        {
          yours = json_object_get_object_member (c, "yours");
          your_value = json_value_to_text (json_object_get_member (yours, "value"));
        }
      else
        your_value = json_value_to_text (json_object_get_member (row->fields, field));

      if (!insert_conflict (self, "conflict", row, field, your_value, server_value, by, server_rev,
                            kept, NULL, NULL, error))
        return FALSE;

      /* the server kept its value: show it here too */
      if (strcmp (kept, "server") == 0 &&
          !set_field_from_server (self, row->entity, row->record_id, field, server_value,
                                  by != NULL ? by : REMOTE_ACTOR, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
procura_store_sync_apply_result (ProcuraStore  *self,
                                 JsonObject    *result,
                                 GError       **error)
{
  g_auto(OutboxRow) row = { 0, };
  g_autoptr(GError) local_error = NULL;
  const char *mutation_id;
  const char *status;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  mutation_id = json_object_get_string_member_with_default (result, "mutation_id", NULL);
  status = json_object_get_string_member_with_default (result, "status", NULL);
  if (mutation_id == NULL || status == NULL)
    {
      protocol_error (error, "result without mutation_id or status");
      return FALSE;
    }

  if (!read_outbox_row (self, mutation_id, &row, &local_error))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;  /* acknowledged before (a replayed answer) */
    }

  if (strcmp (status, "applied") == 0 || strcmp (status, "merged") == 0 ||
      strcmp (status, "conflict") == 0)
    {
      JsonNode *rev_node = json_object_get_member (result, "rev");
      JsonNode *conflicts = json_object_get_member (result, "conflicts");
      gint64 rev;

      if (rev_node == NULL || !JSON_NODE_HOLDS_VALUE (rev_node) ||
          json_node_get_value_type (rev_node) != G_TYPE_INT64)
        {
          protocol_error (error, "result without rev");
          return FALSE;
        }
      rev = json_node_get_int (rev_node);

      if (!ack_mutation (self, &row, rev, error))
        return FALSE;
      if (conflicts != NULL && JSON_NODE_HOLDS_ARRAY (conflicts))
        return record_reported_conflicts (self, &row, rev, json_node_get_array (conflicts), error);
      return TRUE;
    }

  if (strcmp (status, "rejected") == 0)
    {
      JsonNode *conflicts = json_object_get_member (result, "conflicts");

      return reject_mutation (self, &row,
                              json_object_get_string_member_with_default (result, "error", "invalid"),
                              json_object_get_string_member_with_default (result, "reason", NULL),
                              conflicts != NULL && JSON_NODE_HOLDS_ARRAY (conflicts)
                                ? json_node_get_array (conflicts) : NULL,
                              error);
    }

  protocol_error (error, status);
  return FALSE;
}

/* ---- pulling --------------------------------------------------------- */

static gboolean
has_shadow (ProcuraStore *self,
            const char   *id)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self, "SELECT 1 FROM shadow WHERE record_id = ? LIMIT 1", NULL);
  gboolean found;

  if (stmt == NULL)
    return TRUE;  /* then clear_shadow() reports the error */
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

static gboolean
has_open_refusal (ProcuraStore *self,
                  const char   *id)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self,
                                               "SELECT 1 FROM conflict WHERE record_id = ? AND kind = 'rejected' "
                                               "AND status = 'open' LIMIT 1",
                                               NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

/* A refusal lists the server's value as it was then; a later pull of the
 * field shows the value the server has now, which is what "keep server"
 * keeps. */
static gboolean
refresh_refusal (ProcuraStore  *self,
                 const char    *id,
                 const char    *field,
                 const char    *value,
                 gint64         rev,
                 GError       **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self,
                                       "UPDATE conflict SET server_value = ?, server_rev = ? WHERE record_id = ? "
                                       "AND field = ? AND kind = 'rejected' AND status = 'open'",
                                       error)))
    return FALSE;
  if (value != NULL)
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, rev);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, field, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("recording a sync conflict"), error);
}

/* What the records of a page need to know, found once for the page. */
typedef struct
{
  char     *at;           /* when the page is written: its change rows' time */
  gboolean  local_state;  /* unpushed edits, kept server values or open
                           * refusals exist: each record must be checked
                           * against them (nothing in a page creates them
                           * when there are no unpushed edits) */
  gboolean  attachments;  /* the page brought attachment records */
  GHashTable *statements; /* for prepare_cached() */
} PullPage;

static gboolean
any_row (ProcuraStore  *self,
         const char    *sql,
         gboolean      *out_any,
         GError       **error)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  *out_any = rc == SQLITE_ROW;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the sync state"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
pull_page_init (ProcuraStore  *self,
                PullPage      *page,
                GError       **error)
{
  gboolean outbox = FALSE, shadows = FALSE, refusals = FALSE;

  memset (page, 0, sizeof *page);
  page->at = procura_timestamp_now ();
  page->statements = g_hash_table_new (NULL, NULL);
  if (!any_row (self, "SELECT 1 FROM outbox LIMIT 1", &outbox, error) ||
      !any_row (self, "SELECT 1 FROM shadow LIMIT 1", &shadows, error) ||
      !any_row (self, "SELECT 1 FROM conflict WHERE kind = 'rejected' AND status = 'open' LIMIT 1",
                &refusals, error))
    return FALSE;
  page->local_state = outbox || shadows || refusals;

  return TRUE;
}

/* pulled is the page's own, and may be changed */
static gboolean
apply_pulled_record (ProcuraStore   *self,
                     PullPage       *page,
                     ProcuraRecord  *pulled,
                     GError        **error)
{
  g_autoptr(ProcuraRecord) old = NULL;
  g_autoptr(ProcuraRecord) target = NULL;
  g_autoptr(GHashTable) pending = NULL;
  g_autoptr(GError) local_error = NULL;
  const ProcuraEntityInfo *entity;
  const char *id;
  gboolean pending_insert, pending_delete;
  gboolean refusals, shadows;
  gint64 rev;

  entity = procura_record_get_entity (pulled);
  id = procura_record_get_id (pulled);
  rev = procura_record_get_rev (pulled);

  old = read_local_cached (self, page->statements, entity, id, &local_error);
  if (old == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (strcmp (entity->name, "attachment") == 0 && !procura_record_get_deleted (pulled))
    page->attachments = TRUE;

  if (page->local_state)
    {
      if (!(pending = pending_fields (self, entity->name, id, &pending_insert, &pending_delete, error)))
        return FALSE;
    }
  else
    {
      pending = g_hash_table_new (g_str_hash, g_str_equal);
      pending_insert = pending_delete = FALSE;
    }

  if (old == NULL)
    {
      if (procura_record_get_deleted (pulled))
        return TRUE;  /* never seen alive here: nothing to delete */
      /* the pulled record is ours: written as it is, every field set */
      for (guint i = 0; i < entity->n_fields; i++)
        if (!procura_record_is_set (pulled, i))
          procura_record_set_value (pulled, i, NULL);
      return write_remote (self, page->statements, NULL, pulled, rev, REMOTE_ACTOR, page->at, error);
    }

  /* both are rare: look them up once per record, not once per field */
  refusals = page->local_state && has_open_refusal (self, id);
  shadows = page->local_state && has_shadow (self, id);
  target = procura_record_copy (old);
  procura_record_set_updated_at (target, procura_record_get_updated_at (pulled));
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      GVariant *value;

      if (!procura_record_is_set (pulled, i))
        continue;
      value = procura_record_get_value (pulled, i);

      /* unpushed edits win locally until the push settles them; the
       * server's value is kept aside in case the push is refused */
      if (g_hash_table_contains (pending, field->name))
        {
          g_autofree char *text = procura_field_value_to_text (field, value);

          if (!set_shadow (self, entity->name, id, field->name, text, rev, error))
            return FALSE;
          continue;
        }

      procura_record_set_value (target, i, value);
      if (shadows && !clear_shadow (self, id, field->name, error))
        return FALSE;
      if (refusals)
        {
          g_autofree char *text = procura_field_value_to_text (field, value);

          if (!refresh_refusal (self, id, field->name, text, rev, error))
            return FALSE;
        }
    }

  /* a queued local delete stays until the server answers it */
  if (!pending_delete)
    procura_record_set_deleted (target, procura_record_get_deleted (pulled));

  return write_remote (self, page->statements, old, target, rev, REMOTE_ACTOR, page->at, error);
}

/* A project left the caller's scope: drop it with everything under it.
 * Rows are hard-deleted (the history stays, being append-only); unpushed
 * edits in it could never be accepted any more and go to the conflict
 * table as refused, so the user still sees what they typed. */
static gboolean
revoke_project (ProcuraStore  *self,
                const char    *project_id,
                GError       **error)
{
  const ProcuraEntityInfo * const *all;
  guint n_all;
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func (g_free);
  int rc;

  /* pending mutations of the project's records, oldest first */
  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT o.mutation_id FROM outbox o JOIN change c ON c.id = o.change_id "
                                       "WHERE c.project_id = ? OR o.record_id = ? ORDER BY o.change_id",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, project_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (mutations, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the outbox"));
      return FALSE;
    }

  for (guint i = 0; i < mutations->len; i++)
    {
      g_auto(OutboxRow) row = { 0, };
      g_autofree char *values = NULL;
      g_autoptr(GError) local_error = NULL;

      if (!read_outbox_row (self, g_ptr_array_index (mutations, i), &row, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          continue;
        }
      values = fields_to_text (row.fields);
      if (!delete_outbox_row (self, row.change_id, error) ||
          !insert_conflict (self, "rejected", &row, NULL, values, NULL, NULL, 0, NULL, "revoked",
                            _("The project is no longer shared with you"), error))
        return FALSE;
    }

  all = procura_schema_entities (&n_all);
  for (guint e = n_all; e > 0; e--)
    {
      const ProcuraEntityInfo *entity = all[e - 1];
      g_autofree char *sql = NULL;

      if (!entity->project_scoped)
        continue;
      sql = g_strdup_printf ("DELETE FROM shadow WHERE record_id IN (SELECT id FROM %s WHERE project_id = ?1)",
                             entity->name);
      if (!(stmt = _procura_store_prepare (self, sql, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);
      if (!exec_bound (self, stmt, _("dropping a project"), error))
        return FALSE;

      g_free (sql);
      sql = g_strdup_printf ("DELETE FROM %s WHERE project_id = ?", entity->name);
      if (!(stmt = _procura_store_prepare (self, sql, error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);
      if (!exec_bound (self, stmt, _("dropping a project"), error))
        return FALSE;
    }

  if (!clear_shadow (self, project_id, NULL, error) ||
      !(stmt = _procura_store_prepare (self, "DELETE FROM project WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("dropping a project"), error);
}

/* ---- decoded pages --------------------------------------------------- */

typedef struct
{
  ProcuraRecord *record;   /* a record entry */
  char          *revoked;  /* or the id of a revoked project */
} PageEntry;

struct _ProcuraSyncPage
{
  GArray *entries;  /* PageEntry */
};

static void
page_entry_clear (gpointer data)
{
  PageEntry *entry = data;

  g_clear_pointer (&entry->record, procura_record_unref);
  g_clear_pointer (&entry->revoked, g_free);
}

void
procura_sync_page_free (ProcuraSyncPage *page)
{
  if (page == NULL)
    return;
  g_array_unref (page->entries);
  g_free (page);
}

ProcuraSyncPage *
procura_sync_page_decode (JsonArray  *changes,
                          GError    **error)
{
  g_autoptr(ProcuraSyncPage) page = g_new0 (ProcuraSyncPage, 1);
  guint n;

  g_return_val_if_fail (changes != NULL, NULL);

  n = json_array_get_length (changes);
  page->entries = g_array_sized_new (FALSE, TRUE, sizeof (PageEntry), n);
  g_array_set_clear_func (page->entries, page_entry_clear);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (changes, i);
      PageEntry entry = { NULL, NULL };
      JsonObject *object;
      JsonNode *member;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          protocol_error (error, "a change is not an object");
          return NULL;
        }
      object = json_node_get_object (node);

      if ((member = json_object_get_member (object, "record")) != NULL)
        {
          if (!(entry.record = procura_record_from_json (member, error)))
            return NULL;
        }
      else if ((member = json_object_get_member (object, "revoked")) != NULL && JSON_NODE_HOLDS_OBJECT (member))
        {
          JsonObject *revoked = json_node_get_object (member);
          const char *entity = json_object_get_string_member_with_default (revoked, "entity", NULL);
          const char *id = json_object_get_string_member_with_default (revoked, "id", NULL);

          if (g_strcmp0 (entity, "project") != 0 || id == NULL)
            {
              protocol_error (error, "revoked");
              return NULL;
            }
          entry.revoked = g_strdup (id);
        }
      else
        {
          protocol_error (error, "a change has neither record nor revoked");
          return NULL;
        }
      g_array_append_val (page->entries, entry);
    }

  return g_steal_pointer (&page);
}

gboolean
procura_store_sync_apply_decoded_page (ProcuraStore     *self,
                                       ProcuraSyncPage  *decoded,
                                       const char       *cursor,
                                       guint            *out_n_applied,
                                       GError          **error)
{
  gboolean keys_off;
  guint n = 0;
  PullPage page = { 0, };

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (decoded != NULL, FALSE);

  /* keys off for the page (see the top of this file); the pragma only
   * takes effect outside a transaction */
  keys_off = !procura_store_in_transaction (self);
  if (keys_off && !_procura_store_exec (self, "PRAGMA foreign_keys = OFF", error))
    return FALSE;

  if (!procura_store_begin (self, error))
    goto fail_keys;
  if (!pull_page_init (self, &page, error))
    goto fail;

  for (guint i = 0; i < decoded->entries->len; i++)
    {
      PageEntry *entry = &g_array_index (decoded->entries, PageEntry, i);

      if (entry->record != NULL ? !apply_pulled_record (self, &page, entry->record, error)
                                : !revoke_project (self, entry->revoked, error))
        goto fail;
      n++;
    }

  if (cursor != NULL && !procura_store_sync_set_state (self, PROCURA_SYNC_STATE_CURSOR, cursor, error))
    goto fail;
  /* files to fetch: said with the records, so a crash before the
   * download still has the next run look for them */
  if (page.attachments && !procura_store_sync_set_state (self, PROCURA_SYNC_STATE_BLOBS_CHECKED, NULL, error))
    goto fail;

  if (!procura_store_commit (self, error))
    goto fail_keys;

  g_free (page.at);
  g_clear_pointer (&page.statements, g_hash_table_unref);
  if (keys_off && !_procura_store_exec (self, "PRAGMA foreign_keys = ON", error))
    return FALSE;
  if (out_n_applied != NULL)
    *out_n_applied = n;
  return TRUE;

fail:
  procura_store_rollback (self);
fail_keys:
  g_free (page.at);
  g_clear_pointer (&page.statements, g_hash_table_unref);
  if (keys_off)
    _procura_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
  return FALSE;
}

void
procura_store_sync_checkpoint (ProcuraStore *self)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  if (!procura_store_in_transaction (self))
    sqlite3_wal_checkpoint_v2 (_procura_store_get_db (self), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

gboolean
procura_store_sync_apply_page (ProcuraStore  *self,
                               JsonArray     *changes,
                               const char    *cursor,
                               guint         *out_n_applied,
                               GError       **error)
{
  g_autoptr(ProcuraSyncPage) decoded = NULL;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (!(decoded = procura_sync_page_decode (changes, error)))
    return FALSE;

  return procura_store_sync_apply_decoded_page (self, decoded, cursor, out_n_applied, error);
}

/* ---- conflicts ------------------------------------------------------- */

/* A side of a listed conflict: {"value", "rev", "by"}, or the flat members
 * <prefix>_value, <prefix>_rev, <prefix>_by. */
static void
conflict_side (JsonObject  *c,
               const char  *name,
               char       **out_value,
               const char **out_by,
               gint64      *out_rev)
{
  JsonNode *member = json_object_get_member (c, name);
  g_autofree char *value_key = g_strconcat (name, "_value", NULL);
  g_autofree char *by_key = g_strconcat (name, "_by", NULL);
  g_autofree char *rev_key = g_strconcat (name, "_rev", NULL);

  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    {
      JsonObject *side = json_node_get_object (member);

      *out_value = json_value_to_text (json_object_get_member (side, "value"));
      *out_by = json_object_get_string_member_with_default (side, "by", NULL);
      *out_rev = json_object_get_int_member_with_default (side, "rev", 0);
      return;
    }

  *out_value = json_value_to_text (json_object_get_member (c, value_key));
  *out_by = json_object_get_string_member_with_default (c, by_key, NULL);
  *out_rev = json_object_get_int_member_with_default (c, rev_key, 0);
}

static gboolean
merge_server_conflict (ProcuraStore  *self,
                       JsonObject    *c,
                       const char    *username,
                       GError       **error)
{
  JsonNode *record_node = json_object_get_member (c, "record");
  const char *entity = json_object_get_string_member_with_default (c, "entity", NULL);
  const char *record_id = json_object_get_string_member_with_default (c, "record_id", NULL);
  const char *field = json_object_get_string_member_with_default (c, "field", NULL);
  const char *mutation_id = json_object_get_string_member_with_default (c, "mutation_id", NULL);
  const char *kind = json_object_get_string_member_with_default (c, "kind", NULL);
  gint64 server_id = json_object_get_int_member_with_default (c, "id", 0);
  g_autofree char *server_value = NULL;
  g_autofree char *your_value = NULL;
  g_autofree char *now = procura_timestamp_now ();
  const char *server_by = NULL, *your_by = NULL;
  gint64 server_rev = 0, your_rev = 0;
  sqlite3_stmt *stmt;
  gboolean listed;
  gboolean mine_lost;

  if (record_node != NULL && JSON_NODE_HOLDS_OBJECT (record_node))
    {
      JsonObject *record = json_node_get_object (record_node);

      entity = json_object_get_string_member_with_default (record, "entity", entity);
      record_id = json_object_get_string_member_with_default (record, "id", record_id);
    }
  if (server_id <= 0 || entity == NULL || record_id == NULL || procura_schema_lookup (entity) == NULL)
    {
      protocol_error (error, "conflicts");
      return FALSE;
    }

  /* listed already: by the server's id, or as the answer to our push */
  if (!(stmt = _procura_store_prepare (self,
                                       "SELECT count(*) FROM conflict WHERE server_id = ?1 "
                                       "OR (mutation_id = ?2 AND field IS ?3 AND server_id IS NULL)",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  if (mutation_id != NULL)
    sqlite3_bind_text (stmt, 2, mutation_id, -1, SQLITE_TRANSIENT);
  if (field != NULL)
    sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  listed = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  if (listed)
    {
      if (mutation_id == NULL)
        return TRUE;
      if (!(stmt = _procura_store_prepare (self,
                                           "UPDATE conflict SET server_id = ?1 WHERE mutation_id = ?2 "
                                           "AND field IS ?3 AND server_id IS NULL",
                                           error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, server_id);
      sqlite3_bind_text (stmt, 2, mutation_id, -1, SQLITE_TRANSIENT);
      if (field != NULL)
        sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
      return exec_bound (self, stmt, _("recording a sync conflict"), error);
    }

  conflict_side (c, "server", &server_value, &server_by, &server_rev);
  conflict_side (c, "yours", &your_value, &your_by, &your_rev);

  /* the server speaks from the pusher's side ("yours" won, "server" lost);
   * to the person whose value lost, theirs is the one to show as theirs */
  mine_lost = username != NULL && g_strcmp0 (server_by, username) == 0;

  if (!(stmt = _procura_store_prepare (self,
                                       "INSERT INTO conflict (kind, mutation_id, entity, record_id, op, field, "
                                       "local_value, server_value, server_by, server_rev, kept, error, server_id, at) "
                                       "VALUES (?, ?, ?, ?, 'update', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, g_strcmp0 (kind, "strict") == 0 ? "rejected" : "conflict", -1, SQLITE_STATIC);
  if (mutation_id != NULL)
    sqlite3_bind_text (stmt, 2, mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, entity, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, record_id, -1, SQLITE_TRANSIENT);
  if (field != NULL)
    sqlite3_bind_text (stmt, 5, field, -1, SQLITE_TRANSIENT);
#define BIND_OPT_TEXT(n, v) if ((v) != NULL) sqlite3_bind_text (stmt, (n), (v), -1, SQLITE_TRANSIENT)
  BIND_OPT_TEXT (6, mine_lost ? server_value : your_value);
  BIND_OPT_TEXT (7, mine_lost ? your_value : server_value);
  BIND_OPT_TEXT (8, mine_lost ? your_by : server_by);
  if ((mine_lost ? your_rev : server_rev) > 0)
    sqlite3_bind_int64 (stmt, 9, mine_lost ? your_rev : server_rev);
  /* what the record holds now: the pusher's value, unless it was strict */
  if (g_strcmp0 (kind, "strict") == 0)
    sqlite3_bind_text (stmt, 10, mine_lost ? "yours" : "server", -1, SQLITE_STATIC);
  else
    sqlite3_bind_text (stmt, 10, mine_lost ? "server" : "yours", -1, SQLITE_STATIC);
  BIND_OPT_TEXT (11, kind);
#undef BIND_OPT_TEXT
  sqlite3_bind_int64 (stmt, 12, server_id);
  sqlite3_bind_text (stmt, 13, now, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("recording a sync conflict"), error);
}

gboolean
procura_store_sync_merge_server_conflicts (ProcuraStore  *self,
                                           JsonArray     *conflicts,
                                           const char    *username,
                                           GError       **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (conflicts != NULL, FALSE);

  if (!procura_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (conflicts); i++)
    {
      JsonNode *node = json_array_get_element (conflicts, i);
      const char *status;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          protocol_error (error, "conflicts");
          goto fail;
        }
      status = json_object_get_string_member_with_default (json_node_get_object (node), "status", "open");
      if (strcmp (status, "open") != 0)
        continue;
      if (!merge_server_conflict (self, json_node_get_object (node), username, error))
        goto fail;
    }

  return procura_store_commit (self, error);

fail:
  procura_store_rollback (self);
  return FALSE;
}

void
procura_conflict_free (ProcuraConflict *conflict)
{
  if (conflict == NULL)
    return;

  g_free (conflict->kind);
  g_free (conflict->entity);
  g_free (conflict->record_id);
  g_free (conflict->op);
  g_free (conflict->field);
  g_free (conflict->local_value);
  g_free (conflict->server_value);
  g_free (conflict->server_by);
  g_free (conflict->kept);
  g_free (conflict->error);
  g_free (conflict->reason);
  g_free (conflict->status);
  g_free (conflict->at);
  g_free (conflict);
}

#define CONFLICT_COLUMNS "id, kind, entity, record_id, op, field, local_value, server_value, server_by, " \
                         "server_rev, kept, error, reason, status, at"

static ProcuraConflict *
conflict_from_row (sqlite3_stmt *stmt)
{
  ProcuraConflict *c = g_new0 (ProcuraConflict, 1);

#define COL_TEXT(n) g_strdup ((const char *) sqlite3_column_text (stmt, (n)))
  c->id = sqlite3_column_int64 (stmt, 0);
  c->kind = COL_TEXT (1);
  c->entity = COL_TEXT (2);
  c->record_id = COL_TEXT (3);
  c->op = COL_TEXT (4);
  c->field = COL_TEXT (5);
  c->local_value = COL_TEXT (6);
  c->server_value = COL_TEXT (7);
  c->server_by = COL_TEXT (8);
  c->server_rev = sqlite3_column_int64 (stmt, 9);
  c->kept = COL_TEXT (10);
  c->error = COL_TEXT (11);
  c->reason = COL_TEXT (12);
  c->status = COL_TEXT (13);
  c->at = COL_TEXT (14);
#undef COL_TEXT

  return c;
}

GPtrArray *
procura_store_sync_list_conflicts (ProcuraStore  *self,
                                   gboolean       include_resolved,
                                   GError       **error)
{
  g_autoptr(GPtrArray) conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_conflict_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);

  if (include_resolved)
    stmt = _procura_store_prepare (self, "SELECT " CONFLICT_COLUMNS " FROM conflict ORDER BY id", error);
  else
    stmt = _procura_store_prepare (self, "SELECT " CONFLICT_COLUMNS " FROM conflict "
                                   "WHERE status = 'open' ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (conflicts, conflict_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the conflicts"));
      return NULL;
    }

  return g_steal_pointer (&conflicts);
}

static ProcuraConflict *
get_conflict (ProcuraStore  *self,
              gint64         id,
              gint64        *out_change_id,
              GError       **error)
{
  sqlite3_stmt *stmt;
  ProcuraConflict *c = NULL;
  int rc;

  if (!(stmt = _procura_store_prepare (self, "SELECT " CONFLICT_COLUMNS ", change_id FROM conflict WHERE id = ?",
                                       error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      c = conflict_from_row (stmt);
      *out_change_id = sqlite3_column_int64 (stmt, 15);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                 _("Conflict: no conflict with id %lld"), (long long) id);
  else
    _procura_store_set_sqlite_error (self, error, _("reading the conflicts"));
  sqlite3_reset (stmt);

  return c;
}

/* Queues a refused insert again, as a new mutation with the record's
 * current values: the original change row stays its history. */
static gboolean
requeue_insert (ProcuraStore         *self,
                const ProcuraRecord  *record,
                gint64                change_id,
                GError              **error)
{
  g_autoptr(JsonNode) node = procura_record_to_json (record);
  JsonObject *fields = json_object_get_object_member (json_node_get_object (node), "fields");
  g_autofree char *text = fields_to_text (fields);
  g_autofree char *mutation_id = g_uuid_string_random ();
  sqlite3_stmt *stmt;

  if (!(stmt = _procura_store_prepare (self,
                                       "INSERT INTO outbox (change_id, mutation_id, entity, record_id, op, "
                                       "base_rev, fields) VALUES (?, ?, ?, ?, 'insert', 0, ?)",
                                       error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);
  sqlite3_bind_text (stmt, 2, mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, procura_record_get_entity (record)->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, text, -1, SQLITE_TRANSIENT);

  return exec_bound (self, stmt, _("queueing the change for sync"), error);
}

static gboolean
resolve_locked (ProcuraStore     *self,
                ProcuraConflict  *c,
                gint64            change_id,
                gboolean          keep_mine,
                GError          **error)
{
  const ProcuraEntityInfo *entity = procura_schema_lookup (c->entity);
  g_autoptr(ProcuraRecord) current = NULL;
  g_autoptr(GError) local_error = NULL;
  const ProcuraFieldInfo *field;
  const char *target;
  g_autofree char *current_text = NULL;
  int index;

  if (entity == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Conflict: unknown kind of record “%s”"), c->entity);
      return FALSE;
    }

  current = read_local (self, entity, c->record_id, &local_error);
  if (current == NULL)
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (keep_mine)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                       _("Conflict: the %s is no longer here (it left your scope); it cannot be restored"),
                       procura_entity_get_label (entity));
          return FALSE;
        }
      return TRUE;
    }

  /* a refused new record: send it again, or drop it here */
  if (c->field == NULL)
    {
      if (keep_mine)
        return procura_record_get_deleted (current) ||
               requeue_insert (self, current, change_id, error);
      return set_deleted_locally (self, entity, c->record_id, TRUE, error);
    }

  if (strcmp (c->field, "deleted") == 0)
    {
      if (!keep_mine || procura_record_get_deleted (current))
        return TRUE;
      return procura_store_delete (self, entity, c->record_id, error);
    }

  if ((field = procura_entity_lookup_field (entity, c->field)) == NULL)
    return TRUE;
  index = procura_entity_field_index (entity, c->field);

  if (procura_record_get_deleted (current))
    {
      if (keep_mine)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                       _("%s: the record was deleted on the server; your value is kept in the conflict list"),
                       procura_field_get_label (field));
          return FALSE;
        }
      return TRUE;
    }

  target = keep_mine ? c->local_value : c->server_value;
  current_text = procura_field_value_to_text (field, procura_record_get_value (current, index));
  if (g_strcmp0 (current_text, target) != 0)
    {
      g_autoptr(ProcuraRecord) changes = procura_record_new (entity, c->record_id);
      g_autoptr(GVariant) value = target != NULL ? procura_field_value_from_text (field, target) : NULL;

      procura_record_set_value (changes, index, value);
      if (!procura_store_update (self, changes, error))
        return FALSE;

      /* The person chose having seen the other value: the write is based
       * on its revision, or the server would take the choice for a new
       * conflict with it. Only this write's base moves (the rest of the
       * record may hold writes by others not pulled yet). */
      if (c->server_rev > 0)
        {
          sqlite3_stmt *stmt = _procura_store_prepare (self,
                                                       "UPDATE outbox SET base_rev = max(base_rev, ?1) "
                                                       "WHERE change_id = (SELECT max(change_id) FROM outbox "
                                                       "WHERE record_id = ?2)",
                                                       error);

          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, c->server_rev);
          sqlite3_bind_text (stmt, 2, c->record_id, -1, SQLITE_TRANSIENT);
          if (!exec_bound (self, stmt, _("updating the outbox"), error))
            return FALSE;
        }
    }

  return TRUE;
}

gboolean
procura_store_sync_resolve_conflict (ProcuraStore  *self,
                                     gint64         id,
                                     gboolean       keep_mine,
                                     GError       **error)
{
  g_autoptr(ProcuraConflict) c = NULL;
  sqlite3_stmt *stmt;
  gint64 change_id = 0;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);

  if (!procura_store_begin (self, error))
    return FALSE;

  if (!(c = get_conflict (self, id, &change_id, error)))
    goto fail;
  if (strcmp (c->status, "open") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Conflict: %lld is already resolved"), (long long) id);
      goto fail;
    }

  if (!resolve_locked (self, c, change_id, keep_mine, error))
    goto fail;

  if (!(stmt = _procura_store_prepare (self, "UPDATE conflict SET status = 'resolved', resolution = ? WHERE id = ?",
                                       error)))
    goto fail;
  sqlite3_bind_text (stmt, 1, keep_mine ? "mine" : "server", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, id);
  if (!exec_bound (self, stmt, _("resolving a conflict"), error))
    goto fail;

  return procura_store_commit (self, error);

fail:
  procura_store_rollback (self);
  return FALSE;
}
