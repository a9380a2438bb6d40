/* procura-store.c — opening the store and the single write path
 *
 * Every create, update and delete of any entity goes through
 * procura_store_insert/update/delete(). Each runs inside a SAVEPOINT (so a
 * refused write inside a larger transaction leaves no trace) within a
 * BEGIN IMMEDIATE transaction, and appends, in that same transaction, a
 * change row, one history row per changed field and one outbox row.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-money.h"
#include "procura-error.h"
#include "procura-store-private.h"
#include "procura-store-sql.h"

struct _ProcuraStore
{
  GObject     parent_instance;

  char       *data_dir;
  char       *actor;
  char       *device_id;
  char       *today;
  sqlite3    *db;
  GHashTable *statements;   /* SQL text → sqlite3_stmt* */
  GHashTable *generated;    /* SqlKey → sqlite3_stmt* for SQL built from the schema */
  /* Records read inside the current write transaction (id → record).
   * BEGIN IMMEDIATE keeps other writers out, and the write path drops
   * what it changes, so rules re-reading a project for each child written
   * hit memory. Emptied at commit and at any rollback. */
  GHashTable *tx_cache;
  guint       tx_depth;     /* explicit begin() nesting */

  /* Where the next writes come from (procura_store_set_write_origin):
   * another device's mutation id, author and device, and whether they are
   * queued for sync. The mutation id names the first write only; cascades
   * it causes get ids of their own. */
  char       *origin_mutation_id;
  char       *origin_actor;
  char       *origin_device;
  gboolean    origin_remote;
  /* The server's store: a write's revision is its change id, and nothing
   * is queued in the outbox. */
  gboolean    server_mode;
  /* > 0 while the rules' cascades write: those writes are not queued for
   * sync, the server derives them itself from the write that caused them
   * (and may refuse them from this user: an agency submits a report but
   * may not set its milestone's status) */
  guint       cascade_depth;
};

G_DEFINE_FINAL_TYPE (ProcuraStore, procura_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_ACTOR,
  PROP_DEVICE_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
procura_store_finalize (GObject *object)
{
  ProcuraStore *self = (ProcuraStore *)object;

  g_clear_pointer (&self->tx_cache, g_hash_table_unref);
  g_clear_pointer (&self->origin_mutation_id, g_free);
  g_clear_pointer (&self->origin_actor, g_free);
  g_clear_pointer (&self->origin_device, g_free);
  g_clear_pointer (&self->generated, g_hash_table_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->device_id, g_free);
  g_clear_pointer (&self->today, g_free);

  G_OBJECT_CLASS (procura_store_parent_class)->finalize (object);
}

static void
procura_store_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ProcuraStore *self = PROCURA_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_ACTOR:
      g_value_set_string (value, self->actor);
      break;
    case PROP_DEVICE_ID:
      g_value_set_string (value, self->device_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_store_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ProcuraStore *self = PROCURA_STORE (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_ACTOR:
      procura_store_set_actor (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_store_class_init (ProcuraStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = procura_store_finalize;
  object_class->get_property = procura_store_get_property;
  object_class->set_property = procura_store_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ACTOR] =
    g_param_spec_string ("actor", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DEVICE_ID] =
    g_param_spec_string ("device-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraStore::committed:
   *
   * A write transaction of this connection was committed (in the thread
   * that committed it). The sync agent sends local edits soon after.
   */
  signals[COMMITTED] =
    g_signal_new ("committed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* Statements whose SQL is built from the schema catalogue are cached by
 * what they are for, so the write path neither formats nor hashes SQL. */
typedef enum
{
  SQL_SELECT_BY_ID,
  SQL_INSERT,
  SQL_UPDATE,
  SQL_SOFT_DELETE,
  SQL_EXISTS,
  SQL_UNIQUE,
  SQL_COUNT_REFS,
  SQL_LIST_ALL,
  SQL_LIST_BY,
  SQL_RESOLVE,
} SqlKind;

typedef struct
{
  SqlKind                  kind;
  const ProcuraEntityInfo *entity;
  const ProcuraFieldInfo  *field;
} SqlKey;

static guint
sql_key_hash (gconstpointer data)
{
  const SqlKey *key = data;

  return g_direct_hash (key->entity) ^ (g_direct_hash (key->field) * 31) ^ (guint) key->kind;
}

static gboolean
sql_key_equal (gconstpointer a,
               gconstpointer b)
{
  const SqlKey *x = a, *y = b;

  return x->kind == y->kind && x->entity == y->entity && x->field == y->field;
}

static void
procura_store_init (ProcuraStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  self->generated = g_hash_table_new_full (sql_key_hash, sql_key_equal, g_free, finalize_statement);
  self->tx_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) procura_record_unref);
}

/* ---- low-level helpers ----------------------------------------------- */

void
_procura_store_set_sqlite_error (ProcuraStore  *self,
                                 GError       **error,
                                 const char    *what)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
               _("Database: %s failed: %s"), what, sqlite3_errmsg (self->db));
}

sqlite3 *
_procura_store_get_db (ProcuraStore *self)
{
  return self->db;
}

sqlite3_stmt *
_procura_store_prepare (ProcuraStore  *self,
                        const char    *sql,
                        GError       **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: preparing a query failed: %s"), sqlite3_errmsg (self->db));
      g_debug ("Failed SQL: %s", sql);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
_procura_store_exec (ProcuraStore  *self,
                     const char    *sql,
                     GError       **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: %s"), msg != NULL ? msg : sqlite3_errmsg (self->db));
      sqlite3_free (msg);
      return FALSE;
    }

  return TRUE;
}

void
_procura_bind_value (sqlite3_stmt           *stmt,
                     int                     col,
                     const ProcuraFieldInfo *field,
                     GVariant               *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, col);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    sqlite3_bind_text (stmt, col, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    sqlite3_bind_int (stmt, col, g_variant_get_boolean (value) ? 1 : 0);
  else
    sqlite3_bind_int64 (stmt, col, g_variant_get_int64 (value));
}

char *
_procura_store_select_columns (const ProcuraEntityInfo *entity,
                               const char              *alias)
{
  GString *s = g_string_new (NULL);
  const char *a = alias != NULL ? alias : entity->name;

  g_string_append_printf (s, "%s.id, %s.rev, %s.deleted, %s.updated_at", a, a, a, a);
  for (guint i = 0; i < entity->n_fields; i++)
    g_string_append_printf (s, ", %s.%s", a, entity->fields[i].name);

  return g_string_free (s, FALSE);
}

static const char *natural_order (const ProcuraEntityInfo *entity);

static char *
build_sql (const SqlKey *key)
{
  const ProcuraEntityInfo *entity = key->entity;
  const char *table = entity->name;
  g_autofree char *columns = NULL;
  GString *sql;

  switch (key->kind)
    {
    case SQL_SELECT_BY_ID:
      columns = _procura_store_select_columns (entity, NULL);
      return g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", columns, table);

    case SQL_INSERT:
      sql = g_string_new (NULL);
      g_string_append_printf (sql, "INSERT INTO %s (id, rev, deleted, created_at, updated_at", table);
      for (guint i = 0; i < entity->n_fields; i++)
        g_string_append_printf (sql, ", %s", entity->fields[i].name);
      g_string_append (sql, ") VALUES (?, ?, 0, ?, ?");
      for (guint i = 0; i < entity->n_fields; i++)
        g_string_append (sql, ", ?");
      g_string_append (sql, ")");
      return g_string_free (sql, FALSE);

    case SQL_UPDATE:
      /* every column: unchanged ones are rewritten with their own value */
      sql = g_string_new (NULL);
      g_string_append_printf (sql, "UPDATE %s SET updated_at = ?", table);
      for (guint i = 0; i < entity->n_fields; i++)
        g_string_append_printf (sql, ", %s = ?", entity->fields[i].name);
      g_string_append (sql, " WHERE id = ?");
      return g_string_free (sql, FALSE);

    case SQL_SOFT_DELETE:
      return g_strdup_printf ("UPDATE %s SET deleted = 1, updated_at = ? WHERE id = ?", table);

    case SQL_EXISTS:
      return g_strdup_printf ("SELECT deleted FROM %s WHERE id = ?", table);

    case SQL_UNIQUE:
      return g_strdup_printf ("SELECT id FROM %s WHERE %s = ? AND deleted = 0 AND id <> ?",
                              table, key->field->name);

    case SQL_COUNT_REFS:
      return g_strdup_printf ("SELECT count(*) FROM %s WHERE %s = ? AND deleted = 0",
                              table, key->field->name);

    case SQL_LIST_ALL:
      columns = _procura_store_select_columns (entity, NULL);
      return g_strdup_printf ("SELECT %s FROM %s WHERE deleted = 0 ORDER BY %s",
                              columns, table, natural_order (entity));

    case SQL_LIST_BY:
      columns = _procura_store_select_columns (entity, NULL);
      return g_strdup_printf ("SELECT %s FROM %s WHERE deleted = 0 AND %s = ? ORDER BY %s",
                              columns, table, key->field->name, natural_order (entity));

    case SQL_RESOLVE:
      return g_strdup_printf ("SELECT id FROM %s WHERE %s = ? AND deleted = 0 LIMIT 2",
                              table, key->field->name);

    default:
      g_assert_not_reached ();
    }
}

/* A cached, reset statement for a schema-generated query. */
static sqlite3_stmt *
prepare_generated (ProcuraStore            *self,
                   SqlKind                  kind,
                   const ProcuraEntityInfo *entity,
                   const ProcuraFieldInfo  *field,
                   GError                 **error)
{
  SqlKey key = { kind, entity, field };
  sqlite3_stmt *stmt = g_hash_table_lookup (self->generated, &key);
  g_autofree char *sql = NULL;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  sql = build_sql (&key);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: preparing a query failed: %s"), sqlite3_errmsg (self->db));
      return NULL;
    }

  g_hash_table_insert (self->generated, g_memdup2 (&key, sizeof key), stmt);
  return stmt;
}

ProcuraRecord *
_procura_store_record_from_row (const ProcuraEntityInfo *entity,
                                sqlite3_stmt            *stmt)
{
  ProcuraRecord *record;

  record = procura_record_new (entity, (const char *) sqlite3_column_text (stmt, 0));
  procura_record_set_rev (record, sqlite3_column_int64 (stmt, 1));
  procura_record_set_deleted (record, sqlite3_column_int (stmt, 2));
  procura_record_set_updated_at (record, (const char *) sqlite3_column_text (stmt, 3));

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      int col = 4 + i;
      GVariant *value = NULL;

      if (sqlite3_column_type (stmt, col) != SQLITE_NULL)
        {
          switch (field->type)
            {
            case PROCURA_FIELD_INT:
            case PROCURA_FIELD_MONEY:
            case PROCURA_FIELD_DECIMAL:
              value = g_variant_new_int64 (sqlite3_column_int64 (stmt, col));
              break;
            case PROCURA_FIELD_BOOL:
              value = g_variant_new_boolean (sqlite3_column_int (stmt, col) != 0);
              break;
            default:
              value = g_variant_new_string ((const char *) sqlite3_column_text (stmt, col));
              break;
            }
        }
      procura_record_set_value (record, i, value);
    }

  return record;
}

/* ---- opening --------------------------------------------------------- */

static gboolean
ensure_device_id (ProcuraStore  *self,
                  GError       **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *fresh = NULL;

  if (!(stmt = _procura_store_prepare (self, "SELECT value FROM meta WHERE key = 'device_id'", error)))
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      self->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      return TRUE;
    }
  sqlite3_reset (stmt);

  fresh = g_uuid_string_random ();
  if (!(stmt = _procura_store_prepare (self, "INSERT INTO meta (key, value) VALUES ('device_id', ?)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, fresh, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("recording the device id"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  self->device_id = g_steal_pointer (&fresh);

  return TRUE;
}

ProcuraStore *
procura_store_open (const char  *data_dir,
                    GError     **error)
{
  g_autoptr(ProcuraStore) self = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *blob_dir = NULL;
  int rc;

  g_return_val_if_fail (data_dir != NULL, NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Data directory: cannot create “%s”: %s"), data_dir, g_strerror (errsv));
      return NULL;
    }

  self = g_object_new (PROCURA_TYPE_STORE, "data-dir", data_dir, NULL);
  db_path = g_build_filename (data_dir, PROCURA_STORE_DB_NAME, NULL);

  rc = sqlite3_open_v2 (db_path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: cannot open “%s”: %s"), db_path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* A database from a newer Procura is refused before anything (even the
   * journal mode) touches the file. */
  if (!_procura_store_check_version (self->db, db_path, error))
    return NULL;

  /* WAL lets readers (the GUI) run during a write; FULL makes every
   * acknowledged edit survive a power cut, which matters more here than
   * write speed. An 8 MB page cache: the GUI opens a few short-lived
   * connections at start-up, and larger caches only raised its resident
   * memory (by ~40 MB) without making writes or the ledger faster. */
  {
    char *msg = NULL;

    if (sqlite3_exec (self->db,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA temp_store = MEMORY;"
                      "PRAGMA cache_size = -8000;"
                      "PRAGMA wal_autocheckpoint = 10000;",
                      NULL, NULL, &msg) != SQLITE_OK)
      {
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                     _("Database: cannot use “%s”: %s"), db_path,
                     msg != NULL ? msg : sqlite3_errmsg (self->db));
        sqlite3_free (msg);
        return NULL;
      }
  }

  if (!_procura_store_migrate (self->db, error))
    return NULL;

  blob_dir = g_build_filename (data_dir, "blobs", NULL);
  if (g_mkdir_with_parents (blob_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Data directory: cannot create “%s”: %s"), blob_dir, g_strerror (errsv));
      return NULL;
    }

  if (!ensure_device_id (self, error))
    return NULL;

  self->actor = g_strdup (g_get_user_name ());

  return g_steal_pointer (&self);
}

const char *
procura_store_get_data_dir (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  return self->data_dir;
}

const char *
procura_store_get_actor (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  return self->actor;
}

void
procura_store_set_actor (ProcuraStore *self,
                         const char   *actor)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  if (g_strcmp0 (self->actor, actor) == 0)
    return;

  g_free (self->actor);
  self->actor = g_strdup (actor);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTOR]);
}

void
procura_store_set_write_origin (ProcuraStore             *self,
                                const ProcuraWriteOrigin *origin)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  g_clear_pointer (&self->origin_mutation_id, g_free);
  g_clear_pointer (&self->origin_actor, g_free);
  g_clear_pointer (&self->origin_device, g_free);
  self->origin_remote = FALSE;

  if (origin == NULL)
    return;

  self->origin_mutation_id = g_strdup (origin->mutation_id);
  self->origin_actor = g_strdup (origin->actor);
  self->origin_device = g_strdup (origin->device);
  self->origin_remote = origin->remote;
}

void
procura_store_set_server_mode (ProcuraStore *self,
                               gboolean      server_mode)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  self->server_mode = !!server_mode;
}

gboolean
procura_store_get_server_mode (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);

  return self->server_mode;
}

gint64
procura_store_get_field_rev (ProcuraStore            *self,
                             const ProcuraEntityInfo *entity,
                             const char              *id,
                             const char              *field,
                             GError                 **error)
{
  sqlite3_stmt *stmt;
  gint64 rev = 0;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), -1);
  g_return_val_if_fail (entity != NULL && id != NULL && field != NULL, -1);

  /* the record's changes by its index, then each change's row for the
   * field by the history primary key */
  stmt = _procura_store_prepare (self,
                                 "SELECT max(c.id) FROM change c "
                                 "JOIN history h ON h.change_id = c.id AND h.field = ?3 "
                                 "WHERE c.record_id = ?2 AND c.entity = ?1",
                                 error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, entity->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    rev = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _procura_store_set_sqlite_error (self, error, _("reading the history"));
      return -1;
    }

  return rev;
}

sqlite3 *
procura_store_get_sqlite (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);

  return self->db;
}

const char *
procura_store_get_device_id (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  return self->device_id;
}

int
procura_store_get_schema_version (ProcuraStore *self)
{
  sqlite3_stmt *stmt;
  int version = -1;

  g_return_val_if_fail (PROCURA_IS_STORE (self), -1);

  if ((stmt = _procura_store_prepare (self, "PRAGMA user_version", NULL)) &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  if (stmt)
    sqlite3_reset (stmt);

  return version;
}

void
procura_store_set_today (ProcuraStore *self,
                         const char   *date)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  g_free (self->today);
  self->today = g_strdup (date);
}

char *
procura_store_dup_today (ProcuraStore *self)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);

  if (self->today != NULL)
    return g_strdup (self->today);

  return procura_date_today ();
}

/* ---- transactions ---------------------------------------------------- */

gboolean
procura_store_begin (ProcuraStore  *self,
                     GError       **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);

  if (self->tx_depth == 0 && !_procura_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->tx_depth++;
  return TRUE;
}

gboolean
procura_store_commit (ProcuraStore  *self,
                      GError       **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (self->tx_depth > 1)
    {
      self->tx_depth--;
      return TRUE;
    }

  g_hash_table_remove_all (self->tx_cache);
  if (!_procura_store_exec (self, "COMMIT", error))
    {
      procura_store_rollback (self);
      return FALSE;
    }

  self->tx_depth = 0;
  g_signal_emit (self, signals[COMMITTED], 0);
  return TRUE;
}

void
procura_store_rollback (ProcuraStore *self)
{
  g_return_if_fail (PROCURA_IS_STORE (self));

  g_hash_table_remove_all (self->tx_cache);
  if (self->tx_depth == 0)
    return;

  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->tx_depth = 0;
}

gboolean
procura_store_in_transaction (ProcuraStore *self)
{
  return self->tx_depth > 0;
}

/* A write is a savepoint inside the caller's transaction, or a transaction
 * of its own. */
typedef struct
{
  ProcuraStore *store;
  gboolean      own_transaction;
} WriteScope;

static gboolean
run_cached (ProcuraStore  *self,
            const char    *sql,
            GError       **error)
{
  sqlite3_stmt *stmt = _procura_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, sql);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_scope_begin (ProcuraStore  *self,
                   WriteScope    *scope,
                   GError       **error)
{
  scope->store = self;
  scope->own_transaction = (self->tx_depth == 0);
  if (scope->own_transaction && !procura_store_begin (self, error))
    return FALSE;

  /* nested savepoints may share a name: RELEASE and ROLLBACK TO act on
   * the innermost one */
  if (!run_cached (self, "SAVEPOINT w", error))
    {
      if (scope->own_transaction)
        procura_store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_scope_end (WriteScope  *scope,
                 gboolean     ok,
                 GError     **error)
{
  ProcuraStore *self = scope->store;

  if (ok)
    ok = run_cached (self, "RELEASE w", error);

  if (!ok)
    {
      g_hash_table_remove_all (self->tx_cache);
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK TO w; RELEASE w", NULL, NULL, NULL);
      if (scope->own_transaction)
        procura_store_rollback (self);
      return FALSE;
    }

  if (scope->own_transaction)
    return procura_store_commit (self, error);

  return TRUE;
}

/* The rules' consequences of a write (report accepted → milestone
 * accepted → tranches payable), marked as cascades while they run. */
static gboolean
run_cascade (ProcuraStore         *self,
             const ProcuraRecord  *old,
             const ProcuraRecord  *merged,
             GError              **error)
{
  gboolean ok;

  self->cascade_depth++;
  ok = _procura_rules_cascade (self, old, merged, error);
  self->cascade_depth--;

  return ok;
}

/* ---- history, outbox ------------------------------------------------- */

/* A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds, then random
 * bits. Ids created one after another sort together, so SQLite's indexes
 * grow at one end instead of being rewritten all over. */
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

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The outbox keeps each write's changed fields as a JSON object. Written
 * by hand rather than with JsonBuilder: it runs for every write, and the
 * values are only strings, integers, booleans and null. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_json_value (GString                *out,
                   const ProcuraFieldInfo *field,
                   GVariant               *value)
{
  if (value == NULL)
    g_string_append (out, "null");
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    append_json_string (out, g_variant_get_string (value, NULL));
  else if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    g_string_append (out, g_variant_get_boolean (value) ? "true" : "false");
  else if (field->type == PROCURA_FIELD_DECIMAL)
    {
      g_autofree char *text = procura_decimal_format (g_variant_get_int64 (value));
      append_json_string (out, text);
    }
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_variant_get_int64 (value));
}

static const char *
record_project_id (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  if (strcmp (entity->name, "project") == 0)
    return procura_record_get_id (record);
  if (entity->project_scoped)
    return procura_record_get_string (record, "project_id");

  return NULL;
}

/* Appends the change row, one history row per changed field and the outbox
 * row. changed[i] marks the fields that changed; old may be NULL. */
static gboolean
append_change (ProcuraStore        *self,
               const char          *op,
               const ProcuraRecord *old,
               const ProcuraRecord *record,
               const gboolean      *changed,
               const char          *now,
               GError             **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  g_autofree char *mutation_id = NULL;
  g_autoptr(GString) fields_json = g_string_new ("{");
  sqlite3_stmt *stmt;
  gint64 change_id;
  gint64 base_rev = old != NULL ? procura_record_get_rev (old) : 0;
  const char *actor = self->origin_actor != NULL ? self->origin_actor : self->actor;
  const char *device = self->origin_device != NULL ? self->origin_device : self->device_id;

  /* another device's mutation id names its first write only */
  mutation_id = self->origin_mutation_id != NULL ? g_steal_pointer (&self->origin_mutation_id)
                                                 : new_ordered_uuid ();

  stmt = _procura_store_prepare (self,
                                 "INSERT INTO change (mutation_id, entity, record_id, project_id, op, "
                                 "actor, device, at, base_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, entity->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
  if (record_project_id (record) != NULL)
    sqlite3_bind_text (stmt, 4, record_project_id (record), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, op, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, actor != NULL ? actor : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, base_rev);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("recording the change"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  change_id = sqlite3_last_insert_rowid (self->db);

  stmt = _procura_store_prepare (self,
                                 "INSERT INTO history (change_id, field, old_value, new_value) "
                                 "VALUES (?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;

  if (strcmp (op, "delete") == 0)
    {
      sqlite3_bind_int64 (stmt, 1, change_id);
      sqlite3_bind_text (stmt, 2, "deleted", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, "false", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, "true", -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          _procura_store_set_sqlite_error (self, error, _("recording the history"));
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
    }
  else
    {
      for (guint i = 0; i < entity->n_fields; i++)
        {
          const ProcuraFieldInfo *field = &entity->fields[i];
          g_autofree char *old_text = NULL;
          g_autofree char *new_text = NULL;

          if (!changed[i])
            continue;

          if (old != NULL)
            old_text = procura_field_value_to_text (field, procura_record_get_value (old, i));
          new_text = procura_field_value_to_text (field, procura_record_get_value (record, i));

          sqlite3_bind_int64 (stmt, 1, change_id);
          sqlite3_bind_text (stmt, 2, field->name, -1, SQLITE_STATIC);
          if (old_text != NULL)
            sqlite3_bind_text (stmt, 3, old_text, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, 3);
          if (new_text != NULL)
            sqlite3_bind_text (stmt, 4, new_text, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, 4);
          if (sqlite3_step (stmt) != SQLITE_DONE)
            {
              _procura_store_set_sqlite_error (self, error, _("recording the history"));
              sqlite3_reset (stmt);
              return FALSE;
            }
          sqlite3_reset (stmt);

          if (fields_json->len > 1)
            g_string_append_c (fields_json, ',');
          append_json_string (fields_json, field->name);
          g_string_append_c (fields_json, ':');
          append_json_value (fields_json, field, procura_record_get_value (record, i));
        }
    }

  g_string_append_c (fields_json, '}');

  if (self->server_mode)
    {
      /* the server's revision of a record is the id of its last change */
      g_autofree char *sql = g_strdup_printf ("UPDATE %s SET rev = ?1 WHERE id = ?2", entity->name);

      if (!(stmt = _procura_store_prepare (self, sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, change_id);
      sqlite3_bind_text (stmt, 2, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          _procura_store_set_sqlite_error (self, error, _("saving the change"));
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
      procura_record_set_rev ((ProcuraRecord *) record, change_id);
      g_hash_table_remove (self->tx_cache, procura_record_get_id (record));
    }

  /* the server's own writes and writes pulled from it are not sent back,
   * nor are cascades (the server runs them too) */
  if (self->server_mode || self->origin_remote || self->cascade_depth > 0)
    return TRUE;

  stmt = _procura_store_prepare (self,
                                 "INSERT INTO outbox (change_id, mutation_id, entity, record_id, op, "
                                 "base_rev, fields) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);
  sqlite3_bind_text (stmt, 2, mutation_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, entity->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, op, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, base_rev);
  sqlite3_bind_text (stmt, 7, fields_json->str, fields_json->len, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("queueing the change for sync"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  return TRUE;
}

/* ---- validation common to every entity ------------------------------- */

static gboolean
check_fields (ProcuraStore        *self,
              const ProcuraRecord *record,
              GError             **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      GVariant *value = procura_record_get_value (record, i);
      const char *label = procura_field_get_label (field);

      if (value == NULL)
        {
          if (field->flags & PROCURA_FIELD_REQUIRED)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                           _("%s: required"), label);
              return FALSE;
            }
          continue;
        }

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (procura_field_variant_type (field))))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: value of the wrong type"), label);
          return FALSE;
        }

      switch (field->type)
        {
        case PROCURA_FIELD_TEXT:
        case PROCURA_FIELD_REF:
          {
            const char *s = g_variant_get_string (value, NULL);

            if (s[0] == '\0' && (field->flags & PROCURA_FIELD_REQUIRED))
              {
                g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                             _("%s: required"), label);
                return FALSE;
              }
            /* bytes first: only long texts need counting characters */
            if (strlen (s) > 20000 && g_utf8_strlen (s, -1) > 20000)
              {
                g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                             _("%s: longer than 20,000 characters"), label);
                return FALSE;
              }
          }
          break;

        case PROCURA_FIELD_ENUM:
          if (procura_field_lookup_enum (field, g_variant_get_string (value, NULL)) == NULL)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: “%s” is not an allowed value"), label,
                           g_variant_get_string (value, NULL));
              return FALSE;
            }
          break;

        case PROCURA_FIELD_DATE:
          if (!procura_date_validate (g_variant_get_string (value, NULL), label, error))
            return FALSE;
          break;

        case PROCURA_FIELD_MONTH:
          if (!procura_month_validate (g_variant_get_string (value, NULL), label, error))
            return FALSE;
          break;

        case PROCURA_FIELD_INT:
        case PROCURA_FIELD_MONEY:
        case PROCURA_FIELD_DECIMAL:
          {
            gint64 v = g_variant_get_int64 (value);

            if ((field->flags & PROCURA_FIELD_NONNEG) && v < 0)
              {
                g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                             _("%s: must not be negative"), label);
                return FALSE;
              }
            if (field->type == PROCURA_FIELD_MONEY && (v > PROCURA_MONEY_MAX || v < -PROCURA_MONEY_MAX))
              {
                g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                             _("%s: amount too large"), label);
                return FALSE;
              }
          }
          break;

        case PROCURA_FIELD_TIMESTAMP:
        case PROCURA_FIELD_BOOL:
        default:
          break;
        }

      if (field->type == PROCURA_FIELD_REF)
        {
          const ProcuraEntityInfo *target = procura_schema_lookup (field->ref_entity);
          sqlite3_stmt *stmt = prepare_generated (self, SQL_EXISTS, target, NULL, error);
          int rc;

          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, g_variant_get_string (value, NULL), -1, SQLITE_TRANSIENT);
          rc = sqlite3_step (stmt);
          if (rc != SQLITE_ROW || sqlite3_column_int (stmt, 0) != 0)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                           rc == SQLITE_ROW ? _("%s: the %s “%s” has been deleted")
                                            : _("%s: no %s with id “%s”"),
                           label, procura_entity_get_label (target),
                           g_variant_get_string (value, NULL));
              sqlite3_reset (stmt);
              return FALSE;
            }
          sqlite3_reset (stmt);
        }

      if (field->flags & PROCURA_FIELD_UNIQUE)
        {
          sqlite3_stmt *stmt = prepare_generated (self, SQL_UNIQUE, entity, field, error);

          if (stmt == NULL)
            return FALSE;
          _procura_bind_value (stmt, 1, field, value);
          sqlite3_bind_text (stmt, 2, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              g_autofree char *text = procura_field_value_to_text (field, value);

              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                           _("%s: “%s” is already used by another %s"),
                           label, text, procura_entity_get_label (entity));
              sqlite3_reset (stmt);
              return FALSE;
            }
          sqlite3_reset (stmt);
        }
    }

  return TRUE;
}

/* project_id of a child is implied by its parent: fill it in so callers
 * need not repeat it, and refuse a contradiction. */
static gboolean
derive_project_id (ProcuraStore   *self,
                   ProcuraRecord  *record,
                   GError        **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  const char *own;

  if (!entity->project_scoped)
    return TRUE;

  own = procura_record_get_string (record, "project_id");
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      const ProcuraEntityInfo *target;
      g_autoptr(ProcuraRecord) parent = NULL;
      const char *parent_project;
      GVariant *value;

      if (field->type != PROCURA_FIELD_REF || strcmp (field->name, "project_id") == 0)
        continue;
      target = procura_schema_lookup (field->ref_entity);
      if (!target->project_scoped || (value = procura_record_get_value (record, i)) == NULL)
        continue;

      parent = procura_store_get (self, target, g_variant_get_string (value, NULL), NULL);
      if (parent == NULL)
        continue; /* check_fields() reports the missing reference */

      parent_project = procura_record_get_string (parent, "project_id");
      if (own == NULL)
        {
          procura_record_set_string (record, "project_id", parent_project);
          own = procura_record_get_string (record, "project_id");
        }
      else if (g_strcmp0 (own, parent_project) != 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: the %s belongs to another project"),
                       procura_field_get_label (field), procura_entity_get_label (target));
          return FALSE;
        }
    }

  return TRUE;
}

/* ---- the write path -------------------------------------------------- */

static gboolean
insert_row (ProcuraStore        *self,
            const ProcuraRecord *record,
            const char          *now,
            GError             **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  sqlite3_stmt *stmt;

  if (!(stmt = prepare_generated (self, SQL_INSERT, entity, NULL, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, procura_record_get_id (record), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, procura_record_get_rev (record));
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  for (guint i = 0; i < entity->n_fields; i++)
    _procura_bind_value (stmt, 5 + i, &entity->fields[i], procura_record_get_value (record, i));

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                     _("%s: a record with id “%s” already exists"),
                     procura_entity_get_label (entity), procura_record_get_id (record));
      else
        _procura_store_set_sqlite_error (self, error, _("saving the record"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  return TRUE;
}

static gboolean
do_insert (ProcuraStore   *self,
           ProcuraRecord  *record,
           GError        **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  g_autofree gboolean *changed = g_new0 (gboolean, entity->n_fields);
  g_autofree char *now = procura_timestamp_now ();

  if (procura_record_get_id (record) == NULL)
    {
      g_autofree char *id = new_ordered_uuid ();
      procura_record_set_id (record, id);
    }
  else if (!g_uuid_string_is_valid (procura_record_get_id (record)))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: “%s” is not a valid id (a UUID)"),
                   procura_entity_get_label (entity), procura_record_get_id (record));
      return FALSE;
    }

  /* unset slots of a new record are null */
  for (guint i = 0; i < entity->n_fields; i++)
    if (!procura_record_is_set (record, i))
      procura_record_set_value (record, i, NULL);

  if (!derive_project_id (self, record, error) ||
      !_procura_rules_prepare (self, NULL, record, error) ||
      !check_fields (self, record, error) ||
      !_procura_rules_validate (self, NULL, record, error))
    return FALSE;

  for (guint i = 0; i < entity->n_fields; i++)
    changed[i] = procura_record_get_value (record, i) != NULL;

  procura_record_set_updated_at (record, now);

  return insert_row (self, record, now, error) &&
         append_change (self, "insert", NULL, record, changed, now, error) &&
         run_cascade (self, NULL, record, error);
}

gboolean
procura_store_insert (ProcuraStore   *self,
                      ProcuraRecord  *record,
                      GError        **error)
{
  WriteScope scope;
  gboolean ok;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (!write_scope_begin (self, &scope, error))
    return FALSE;
  ok = do_insert (self, record, error);
  return write_scope_end (&scope, ok, ok ? error : NULL);
}

static gboolean
do_update (ProcuraStore   *self,
           ProcuraRecord  *changes,
           GError        **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (changes);
  g_autoptr(ProcuraRecord) old = NULL;
  g_autoptr(ProcuraRecord) merged = NULL;
  g_autofree gboolean *changed = g_new0 (gboolean, entity->n_fields);
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;
  guint n_changed = 0;
  int col;

  if (procura_record_get_id (changes) == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: no id given for the change"), procura_entity_get_label (entity));
      return FALSE;
    }

  old = procura_store_get (self, entity, procura_record_get_id (changes), error);
  if (old == NULL)
    return FALSE;
  g_hash_table_remove (self->tx_cache, procura_record_get_id (changes));

  merged = procura_record_copy (old);
  for (guint i = 0; i < entity->n_fields; i++)
    if (procura_record_is_set (changes, i))
      {
        GVariant *v = procura_record_get_value (changes, i);
        procura_record_set_value (merged, i, v);
      }

  if (!derive_project_id (self, merged, error) ||
      !_procura_rules_prepare (self, old, merged, error))
    return FALSE;

  for (guint i = 0; i < entity->n_fields; i++)
    {
      changed[i] = !procura_field_value_equal (procura_record_get_value (old, i),
                                               procura_record_get_value (merged, i));
      n_changed += changed[i] ? 1 : 0;
    }

  if (n_changed == 0)
    return TRUE;

  /* A project's parent link never moves: history and sync scopes hang on it. */
  if (entity->project_scoped && changed[procura_entity_field_index (entity, "project_id")])
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: cannot be moved to another project"),
                   procura_entity_get_label (entity));
      return FALSE;
    }

  if (!check_fields (self, merged, error) ||
      !_procura_rules_validate (self, old, merged, error))
    return FALSE;

  now = procura_timestamp_now ();
  if (!(stmt = prepare_generated (self, SQL_UPDATE, entity, NULL, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  col = 2;
  for (guint i = 0; i < entity->n_fields; i++)
    _procura_bind_value (stmt, col++, &entity->fields[i], procura_record_get_value (merged, i));
  sqlite3_bind_text (stmt, col, procura_record_get_id (merged), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("saving the change"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  procura_record_set_updated_at (merged, now);

  return append_change (self, "update", old, merged, changed, now, error) &&
         run_cascade (self, old, merged, error);
}

gboolean
procura_store_update (ProcuraStore   *self,
                      ProcuraRecord  *changes,
                      GError        **error)
{
  WriteScope scope;
  gboolean ok;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (!write_scope_begin (self, &scope, error))
    return FALSE;
  ok = do_update (self, changes, error);
  return write_scope_end (&scope, ok, ok ? error : NULL);
}

static gboolean
do_delete (ProcuraStore            *self,
           const ProcuraEntityInfo *entity,
           const char              *id,
           GError                 **error)
{
  g_autoptr(ProcuraRecord) old = NULL;
  g_autofree char *now = NULL;
  const ProcuraEntityInfo * const *all;
  guint n_all;
  sqlite3_stmt *stmt;

  old = procura_store_get (self, entity, id, error);
  if (old == NULL)
    return FALSE;
  g_hash_table_remove (self->tx_cache, id);

  /* Refuse while live records point here: nothing is orphaned silently. */
  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    for (guint i = 0; i < all[e]->n_fields; i++)
      {
        const ProcuraFieldInfo *field = &all[e]->fields[i];
        if (field->type != PROCURA_FIELD_REF || strcmp (field->ref_entity, entity->name) != 0)
          continue;

        if (!(stmt = prepare_generated (self, SQL_COUNT_REFS, all[e], field, error)))
          return FALSE;
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0)
          {
            gint64 n = sqlite3_column_int64 (stmt, 0);

            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REFERENCED,
                         g_dngettext (GETTEXT_PACKAGE,
                                      "%s: cannot be deleted, %lld %s record refers to it",
                                      "%s: cannot be deleted, %lld %s records refer to it",
                                      n),
                         procura_entity_get_label (entity), (long long) n, procura_entity_get_label (all[e]));
            sqlite3_reset (stmt);
            return FALSE;
          }
        sqlite3_reset (stmt);
      }

  if (!_procura_rules_validate (self, old, NULL, error))
    return FALSE;

  now = procura_timestamp_now ();
  if (!(stmt = prepare_generated (self, SQL_SOFT_DELETE, entity, NULL, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("deleting the record"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  procura_record_set_deleted (old, TRUE);
  return append_change (self, "delete", old, old, NULL, now, error);
}

gboolean
procura_store_delete (ProcuraStore            *self,
                      const ProcuraEntityInfo *entity,
                      const char              *id,
                      GError                 **error)
{
  WriteScope scope;
  gboolean ok;

  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity != NULL, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!write_scope_begin (self, &scope, error))
    return FALSE;
  ok = do_delete (self, entity, id, error);
  return write_scope_end (&scope, ok, ok ? error : NULL);
}

/* ---- dry runs -------------------------------------------------------- */

typedef gboolean (*WriteFunc) (ProcuraStore  *self,
                               ProcuraRecord *record,
                               GError       **error);

static gboolean
dry_run (ProcuraStore   *self,
         WriteFunc       write,
         ProcuraRecord  *record,
         GError        **error)
{
  g_autoptr(ProcuraRecord) copy = procura_record_copy (record);
  gboolean own_transaction = (self->tx_depth == 0);
  gboolean ok;

  if (own_transaction && !procura_store_begin (self, error))
    return FALSE;
  if (!run_cached (self, "SAVEPOINT dry", error))
    {
      if (own_transaction)
        procura_store_rollback (self);
      return FALSE;
    }

  ok = write (self, copy, error);

  g_hash_table_remove_all (self->tx_cache);
  sqlite3_exec (self->db, "ROLLBACK TO dry; RELEASE dry", NULL, NULL, NULL);
  if (own_transaction)
    procura_store_rollback (self);

  return ok;
}

gboolean
procura_store_check_insert (ProcuraStore   *self,
                            ProcuraRecord  *record,
                            GError        **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  return dry_run (self, do_insert, record, error);
}

gboolean
procura_store_check_update (ProcuraStore   *self,
                            ProcuraRecord  *changes,
                            GError        **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (self), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  return dry_run (self, do_update, changes, error);
}

/* ---- reads ----------------------------------------------------------- */

static ProcuraRecord *
get_including_deleted (ProcuraStore            *self,
                       const ProcuraEntityInfo *entity,
                       const char              *id,
                       GError                 **error)
{
  sqlite3_stmt *stmt;
  ProcuraRecord *record = NULL;
  int rc;

  if (self->tx_depth > 0 && (record = g_hash_table_lookup (self->tx_cache, id)) != NULL &&
      procura_record_get_entity (record) == entity)
    return procura_record_copy (record);

  if (!(stmt = prepare_generated (self, SQL_SELECT_BY_ID, entity, NULL, error)))
    return NULL;

  record = NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      record = _procura_store_record_from_row (entity, stmt);
      if (self->tx_depth > 0)
        g_hash_table_replace (self->tx_cache, g_strdup (id), procura_record_copy (record));
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                 _("%s: no record with id “%s”"), procura_entity_get_label (entity), id);
  else
    _procura_store_set_sqlite_error (self, error, _("reading a record"));
  sqlite3_reset (stmt);

  return record;
}

ProcuraRecord *
procura_store_get_including_deleted (ProcuraStore            *self,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id,
                                     GError                 **error)
{
  return get_including_deleted (self, entity, id, error);
}

ProcuraRecord *
procura_store_get (ProcuraStore            *self,
                   const ProcuraEntityInfo *entity,
                   const char              *id,
                   GError                 **error)
{
  ProcuraRecord *record;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  g_return_val_if_fail (entity != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  record = get_including_deleted (self, entity, id, error);
  if (record != NULL && procura_record_get_deleted (record))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("%s: the record “%s” has been deleted"),
                   procura_entity_get_label (entity), id);
      g_clear_pointer (&record, procura_record_unref);
    }

  return record;
}

ProcuraRecord *
procura_store_find (ProcuraStore  *self,
                    const char    *id,
                    GError       **error)
{
  const ProcuraEntityInfo * const *all;
  guint n_all;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      g_autoptr(GError) local_error = NULL;
      ProcuraRecord *record = get_including_deleted (self, all[e], id, &local_error);

      if (record != NULL)
        {
          if (!procura_record_get_deleted (record))
            return record;
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                       _("%s: the record “%s” has been deleted"),
                       procura_entity_get_label (all[e]), id);
          procura_record_unref (record);
          return NULL;
        }
      if (!g_error_matches (local_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
               _("ID: no record with id “%s”"), id);
  return NULL;
}

static const char *
natural_order (const ProcuraEntityInfo *entity)
{
  static const struct { const char *entity; const char *order; } orders[] = {
    { "organization", "name, id" },
    { "grade_scheme", "name, id" },
    { "project", "code, id" },
    { "amendment", "date, id" },
    { "milestone", "due_date, id" },
    { "payment", "COALESCE(planned_date, paid_date, '9999'), title, id" },
    { "report", "COALESCE(period_end, submitted_at, '9999'), id" },
    { "attachment", "name, id" },
    { "evaluation", "date, id" },
    { "criterion", "level, position, name, id" },
    { "indicator", "title, id" },
    { "indicator_period", "period_start, id" },
    { "activity", "date, id" },
    { "consultation", "month, id" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    if (strcmp (orders[i].entity, entity->name) == 0)
      return orders[i].order;

  return "id";
}

GPtrArray *
procura_store_list (ProcuraStore            *self,
                    const ProcuraEntityInfo *entity,
                    const char              *field,
                    const char              *value,
                    GError                 **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  g_return_val_if_fail (entity != NULL, NULL);

  if (field != NULL && procura_entity_lookup_field (entity, field) == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s has no field “%s”"), procura_entity_get_label (entity), field);
      return NULL;
    }

  if (field != NULL)
    stmt = prepare_generated (self, SQL_LIST_BY, entity, procura_entity_lookup_field (entity, field), error);
  else
    stmt = prepare_generated (self, SQL_LIST_ALL, entity, NULL, error);
  if (stmt == NULL)
    return NULL;
  if (field != NULL)
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (records, _procura_store_record_from_row (entity, stmt));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (self, error, _("listing records"));
      return NULL;
    }

  return g_steal_pointer (&records);
}

char *
procura_store_resolve_ref (ProcuraStore            *self,
                           const ProcuraEntityInfo *entity,
                           const char              *text,
                           GError                 **error)
{
  static const struct { const char *entity; const char *field; } keys[] = {
    { "organization", "uscc" },
    { "organization", "name" },
    { "project", "code" },
    { "project", "contract_no" },
    { "grade_scheme", "name" },
  };

  g_return_val_if_fail (PROCURA_IS_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (g_uuid_string_is_valid (text))
    return g_strdup (text);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      sqlite3_stmt *stmt;

      if (strcmp (keys[i].entity, entity->name) != 0)
        continue;

      if (!(stmt = prepare_generated (self, SQL_RESOLVE, entity,
                                      procura_entity_lookup_field (entity, keys[i].field), error)))
        return NULL;
      sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));

          if (sqlite3_step (stmt) == SQLITE_ROW)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: “%s” matches more than one record; give its id"),
                           procura_entity_get_label (entity), text);
              sqlite3_reset (stmt);
              return NULL;
            }
          sqlite3_reset (stmt);
          return g_steal_pointer (&id);
        }
      sqlite3_reset (stmt);
    }

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
               _("%s: nothing matches “%s”"), procura_entity_get_label (entity), text);
  return NULL;
}
