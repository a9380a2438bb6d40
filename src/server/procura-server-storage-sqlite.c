/* procura-server-storage-sqlite.c — the SQLite backend of the server
 *
 * Everything lives in the ProcuraStore's database (procura.db in the data
 * directory): the records and their change/history rows, written only
 * through the store's write path, and the server's own tables below,
 * written with plain SQL inside the store's transactions so that a push,
 * its audit entries, its conflicts and its idempotency row commit or
 * vanish together. SQLite has one writer, so change ids are already in
 * commit order and serve as the feed's sequence.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-json.h"
#include "procura-server-push.h"
#include "procura-server-storage.h"
#include "procura-store-private.h"
#include "procura-store-sql.h"

#define SERVER_SCHEMA_VERSION 2
/* Idempotency rows are kept this long (PROTOCOL.md). */
#define IDEMPOTENCY_RETENTION (24 * 60 * 60)
/* Unfinished uploads are kept this long (PROTOCOL.md, Blobs). */
#define UPLOAD_RETENTION (7 * 24 * 60 * 60)

static const char server_schema_1[] =
  "CREATE TABLE IF NOT EXISTS server_user (\n"
  "  name TEXT PRIMARY KEY NOT NULL,\n"
  "  role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'agency', 'auditor')),\n"
  "  org_uscc TEXT,\n"
  "  disabled INTEGER NOT NULL DEFAULT 0,\n"
  "  password_hash TEXT NOT NULL,\n"
  "  created_at TEXT NOT NULL\n"
  ");\n"
  "-- bearer tokens: only their SHA-256 is kept\n"
  "CREATE TABLE IF NOT EXISTS server_token (\n"
  "  hash BLOB PRIMARY KEY NOT NULL,\n"
  "  username TEXT NOT NULL REFERENCES server_user (name),\n"
  "  created_at INTEGER NOT NULL,\n"
  "  expires_at INTEGER NOT NULL,\n"
  "  revoked INTEGER NOT NULL DEFAULT 0\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX IF NOT EXISTS server_token_user ON server_token (username);\n"
  "-- (user, Idempotency-Key) → the answer; status 0 = still being processed\n"
  "CREATE TABLE IF NOT EXISTS server_idempotency (\n"
  "  username TEXT NOT NULL,\n"
  "  key TEXT NOT NULL,\n"
  "  body_sha256 TEXT NOT NULL,\n"
  "  status INTEGER NOT NULL,\n"
  "  response TEXT,\n"
  "  created_at INTEGER NOT NULL,\n"
  "  PRIMARY KEY (username, key)\n"
  ") WITHOUT ROWID;\n"
  "-- the first answer to each mutation, for replays\n"
  "CREATE TABLE IF NOT EXISTS server_mutation (\n"
  "  mutation_id TEXT PRIMARY KEY NOT NULL,\n"
  "  username TEXT NOT NULL,\n"
  "  result TEXT NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "-- values that lost, or wait for a person (kind: overwritten, strict, deleted)\n"
  "CREATE TABLE IF NOT EXISTS server_conflict (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  project_id TEXT,\n"
  "  field TEXT,\n"
  "  kind TEXT NOT NULL,\n"
  "  server_value TEXT,\n"
  "  server_rev INTEGER,\n"
  "  server_by TEXT,\n"
  "  yours_value TEXT,\n"
  "  yours_by TEXT NOT NULL,\n"
  "  mutation_id TEXT NOT NULL,\n"
  "  at TEXT NOT NULL,\n"
  "  status TEXT NOT NULL DEFAULT 'open',\n"
  "  resolved_keep TEXT,\n"
  "  resolved_by TEXT,\n"
  "  resolved_at TEXT,\n"
  "  resolved_rev INTEGER\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS server_conflict_record ON server_conflict (record_id);\n"
  "-- the changes feed: one row per record (kind 'record', moved to the end\n"
  "-- whenever it is written or must be sent again) and one per project and\n"
  "-- agency that lost it (kind 'revoked'); seq never reuses a number\n"
  "CREATE TABLE IF NOT EXISTS server_feed (\n"
  "  seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
  "  kind TEXT NOT NULL DEFAULT 'record',\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  project_id TEXT,\n"
  "  org_id TEXT NOT NULL DEFAULT ''\n"
  ");\n"
  "CREATE UNIQUE INDEX IF NOT EXISTS server_feed_record ON server_feed (record_id, kind, org_id);\n"
  "CREATE INDEX IF NOT EXISTS server_feed_project ON server_feed (project_id);\n"
  "-- the hash-chained audit log; pos is the storage order, seq the entry's\n"
  "-- number, so reordering shows\n"
  "CREATE TABLE IF NOT EXISTS audit (\n"
  "  pos INTEGER PRIMARY KEY,\n"
  "  seq INTEGER NOT NULL,\n"
  "  at TEXT NOT NULL,\n"
  "  actor TEXT,\n"
  "  action TEXT NOT NULL,\n"
  "  entity TEXT,\n"
  "  id TEXT,\n"
  "  mutation_id TEXT,\n"
  "  status TEXT,\n"
  "  detail TEXT,\n"
  "  hash BLOB NOT NULL\n"
  ");\n"
  "CREATE INDEX IF NOT EXISTS audit_seq ON audit (seq);\n";

/* Version 2: resumable blob uploads. Their bytes are files in uploads/;
 * the offset here is what counts, so a crash between writing a chunk and
 * recording it only makes the server ask for that chunk again. */
static const char server_schema_2[] =
  "CREATE TABLE IF NOT EXISTS server_upload (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  username TEXT NOT NULL,\n"
  "  sha256 TEXT NOT NULL,\n"
  "  size INTEGER NOT NULL CHECK (size >= 0),\n"
  "  upload_offset INTEGER NOT NULL DEFAULT 0,\n"
  "  created_at INTEGER NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX IF NOT EXISTS server_upload_user ON server_upload (username, sha256);\n"
  "-- GET /v1/blobs asks which attachments name a file\n"
  "CREATE INDEX IF NOT EXISTS server_attachment_sha256 ON attachment (sha256);\n";

typedef struct
{
  ProcuraServerStorage  parent;
  ProcuraStore         *store;
  sqlite3              *db;
  GHashTable           *statements;  /* SQL → sqlite3_stmt* */
  GHashTable           *record_reads; /* ProcuraEntityInfo* → its row by id */
  GString              *scratch;
} SqliteStorage;

static void
set_sqlite_error (SqliteStorage  *self,
                  GError        **error,
                  const char     *what)
{
  g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
               "%s: %s", what, sqlite3_errmsg (self->db));
}

/* A cached statement, reset and unbound. */
static sqlite3_stmt *
prepare (SqliteStorage  *self,
         const char     *sql,
         GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "preparing a statement");
      return NULL;
    }
  g_hash_table_insert (self->statements, (char *) sql, stmt);

  return stmt;
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (SqliteStorage  *self,
           sqlite3_stmt   *stmt,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, "writing");
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  return TRUE;
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

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static gboolean
begin (SqliteStorage  *self,
       GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!procura_store_begin (self->store, &local_error))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "%s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
commit (SqliteStorage  *self,
        GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!procura_store_commit (self->store, &local_error))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "%s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* ---- schema ---------------------------------------------------------- */

static gboolean
ensure_schema (SqliteStorage  *self,
               GError        **error)
{
  sqlite3_stmt *stmt;
  int version = 0;
  char *message = NULL;

  if (!(stmt = prepare (self, "SELECT value FROM meta WHERE key = 'server_schema'", error)))
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);

  if (version > SERVER_SCHEMA_VERSION)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "the database was written by a newer procura-server (server schema %d)", version);
      return FALSE;
    }
  if (version == SERVER_SCHEMA_VERSION)
    return TRUE;

  if (!begin (self, error))
    return FALSE;
  /* both scripts only create what is missing, so running the first again
   * on a version 1 database is harmless */
  if (sqlite3_exec (self->db, server_schema_1, NULL, NULL, &message) != SQLITE_OK ||
      sqlite3_exec (self->db, server_schema_2, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "creating the server tables: %s", message);
      sqlite3_free (message);
      procura_store_rollback (self->store);
      return FALSE;
    }
  if (!(stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES ('server_schema', ?)", error)))
    {
      procura_store_rollback (self->store);
      return FALSE;
    }
  sqlite3_bind_int (stmt, 1, SERVER_SCHEMA_VERSION);
  if (!step_done (self, stmt, error))
    {
      procura_store_rollback (self->store);
      return FALSE;
    }

  return commit (self, error);
}

/* ---- accounts -------------------------------------------------------- */

static ProcuraServerUser *
user_from_row (sqlite3_stmt *stmt)
{
  ProcuraServerUser *user = g_new0 (ProcuraServerUser, 1);

  user->name = column_dup (stmt, 0);
  procura_role_from_string ((const char *) sqlite3_column_text (stmt, 1), &user->role);
  user->org_uscc = column_dup (stmt, 2);
  user->disabled = sqlite3_column_int (stmt, 3) != 0;
  user->password_hash = column_dup (stmt, 4);

  return user;
}

static gboolean
sqlite_user_add (ProcuraServerStorage     *storage,
                 const ProcuraServerUser  *user,
                 GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autofree char *now = procura_timestamp_now ();
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = prepare (self,
                        "INSERT INTO server_user (name, role, org_uscc, disabled, password_hash, created_at) "
                        "VALUES (?, ?, ?, 0, ?, ?)", error)))
    return FALSE;
  bind_text (stmt, 1, user->name);
  bind_text (stmt, 2, procura_role_to_string (user->role));
  bind_text (stmt, 3, user->org_uscc);
  bind_text (stmt, 4, user->password_hash);
  bind_text (stmt, 5, now);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_EXISTS,
                   "name: an account “%s” already exists", user->name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "adding the account");
      return FALSE;
    }

  return TRUE;
}

static ProcuraServerUser *
sqlite_user_get (ProcuraServerStorage  *storage,
                 const char            *name,
                 GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  ProcuraServerUser *user = NULL;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "SELECT name, role, org_uscc, disabled, password_hash FROM server_user WHERE name = ?",
                        error)))
    return NULL;
  bind_text (stmt, 1, name);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    user = user_from_row (stmt);
  sqlite3_reset (stmt);

  if (user == NULL)
    g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND,
                 "name: no account “%s”", name);

  return user;
}

static GPtrArray *
sqlite_user_list (ProcuraServerStorage  *storage,
                  GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_server_user_free);
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "SELECT name, role, org_uscc, disabled, password_hash FROM server_user ORDER BY name",
                        error)))
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (users, user_from_row (stmt));
  sqlite3_reset (stmt);

  return g_steal_pointer (&users);
}

/* Runs an UPDATE naming one account; NOT_FOUND when it names none. */
static gboolean
update_user (SqliteStorage  *self,
             const char     *sql,
             const char     *name,
             const char     *value,
             GError        **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, sql, error)))
    return FALSE;
  bind_text (stmt, 1, name);
  if (value != NULL)
    bind_text (stmt, 2, value);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND,
                   "name: no account “%s”", name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
sqlite_user_revoke_tokens (ProcuraServerStorage  *storage,
                           const char            *name,
                           GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(ProcuraServerUser) user = sqlite_user_get (storage, name, error);
  sqlite3_stmt *stmt;

  if (user == NULL)
    return FALSE;
  if (!(stmt = prepare (self, "UPDATE server_token SET revoked = 1 WHERE username = ?", error)))
    return FALSE;
  bind_text (stmt, 1, name);

  return step_done (self, stmt, error);
}

static gboolean
sqlite_user_set_disabled (ProcuraServerStorage  *storage,
                          const char            *name,
                          gboolean               disabled,
                          GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;

  if (!update_user (self, disabled ? "UPDATE server_user SET disabled = 1 WHERE name = ?"
                                   : "UPDATE server_user SET disabled = 0 WHERE name = ?",
                    name, NULL, error))
    return FALSE;

  /* a disabled account's sessions end with it */
  return !disabled || sqlite_user_revoke_tokens (storage, name, error);
}

static gboolean
sqlite_user_set_password (ProcuraServerStorage  *storage,
                          const char            *name,
                          const char            *password_hash,
                          GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;

  return update_user (self, "UPDATE server_user SET password_hash = ?2 WHERE name = ?1",
                      name, password_hash, error);
}

/* ---- tokens ---------------------------------------------------------- */

static gboolean
sqlite_token_add (ProcuraServerStorage  *storage,
                  const char            *name,
                  const guint8          *token_hash,
                  gint64                 expires_at,
                  GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "INSERT INTO server_token (hash, username, created_at, expires_at, revoked) "
                        "VALUES (?, ?, ?, ?, 0)", error)))
    return FALSE;
  sqlite3_bind_blob (stmt, 1, token_hash, 32, SQLITE_TRANSIENT);
  bind_text (stmt, 2, name);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 4, expires_at);

  return step_done (self, stmt, error);
}

static ProcuraServerUser *
sqlite_token_lookup (ProcuraServerStorage  *storage,
                     const guint8          *token_hash,
                     gint64                 now,
                     GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  ProcuraServerUser *user = NULL;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "SELECT u.name, u.role, u.org_uscc, u.disabled, u.password_hash "
                        "FROM server_token t JOIN server_user u ON u.name = t.username "
                        "WHERE t.hash = ? AND t.revoked = 0 AND t.expires_at > ? AND u.disabled = 0",
                        error)))
    return NULL;
  sqlite3_bind_blob (stmt, 1, token_hash, 32, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    user = user_from_row (stmt);
  sqlite3_reset (stmt);

  return user;
}

static gboolean
sqlite_token_revoke (ProcuraServerStorage  *storage,
                     const guint8          *token_hash,
                     GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "UPDATE server_token SET revoked = 1 WHERE hash = ?", error)))
    return FALSE;
  sqlite3_bind_blob (stmt, 1, token_hash, 32, SQLITE_TRANSIENT);

  return step_done (self, stmt, error);
}

/* ---- audit ----------------------------------------------------------- */

/* Appends inside the caller's transaction, or in one of its own. */
static gboolean
sqlite_audit_append (ProcuraServerStorage     *storage,
                     const ProcuraAuditEntry  *entry,
                     GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  ProcuraAuditEntry e = *entry;
  g_autofree char *now = NULL;
  guint8 prev[32] = { 0 };
  guint8 hash[32];
  sqlite3_stmt *stmt;

  if (!begin (self, error))
    return FALSE;

  if (!(stmt = prepare (self, "SELECT seq, hash FROM audit ORDER BY pos DESC LIMIT 1", error)))
    goto fail;
  e.seq = 1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      e.seq = sqlite3_column_int64 (stmt, 0) + 1;
      if (sqlite3_column_bytes (stmt, 1) == 32)
        memcpy (prev, sqlite3_column_blob (stmt, 1), 32);
    }
  sqlite3_reset (stmt);

  if (e.at == NULL)
    e.at = now = procura_timestamp_now ();
  procura_audit_hash (prev, &e, self->scratch, hash);

  if (!(stmt = prepare (self,
                        "INSERT INTO audit (seq, at, actor, action, entity, id, mutation_id, status, detail, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, e.seq);
  bind_text (stmt, 2, e.at);
  bind_text (stmt, 3, e.actor);
  bind_text (stmt, 4, e.action);
  bind_text (stmt, 5, e.entity);
  bind_text (stmt, 6, e.id);
  bind_text (stmt, 7, e.mutation_id);
  bind_text (stmt, 8, e.status);
  bind_text (stmt, 9, e.detail);
  sqlite3_bind_blob (stmt, 10, hash, 32, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error))
    goto fail;

  return commit (self, error);

fail:
  procura_store_rollback (self->store);
  return FALSE;
}

static char *
hex (const guint8 *data,
     gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[len * 2] = '\0';

  return out;
}

static void
add_string_or_null (JsonBuilder  *builder,
                    const char   *name,
                    sqlite3_stmt *stmt,
                    int           col)
{
  json_builder_set_member_name (builder, name);
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, col));
}

/* A page's end, the same for the audit log and the changes feed: the
 * array closed, the cursor as text (opaque to clients), whether more
 * follow. */
static char *
finish_page (JsonBuilder *builder,
             gint64       next,
             gboolean     has_more)
{
  g_autofree char *cursor = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "next");
  json_builder_add_string_value (builder, cursor);
  json_builder_set_member_name (builder, "has_more");
  json_builder_add_boolean_value (builder, has_more);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return procura_json_to_string (root, FALSE);
}

static char *
sqlite_audit_read (ProcuraServerStorage  *storage,
                   gint64                 since,
                   guint                  limit,
                   GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  sqlite3_stmt *stmt;
  gint64 next = since;
  guint n = 0;
  gboolean has_more = FALSE;
  int rc = SQLITE_DONE;

  if (!(stmt = prepare (self,
                        "SELECT seq, at, actor, action, entity, id, mutation_id, status, detail, hash, pos "
                        "FROM audit WHERE pos > ? ORDER BY pos LIMIT ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *hash = NULL;

      if (n == limit)
        {
          has_more = TRUE;
          break;
        }
      n++;
      next = sqlite3_column_int64 (stmt, 10);
      hash = hex (sqlite3_column_blob (stmt, 9), sqlite3_column_bytes (stmt, 9));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      add_string_or_null (builder, "at", stmt, 1);
      add_string_or_null (builder, "actor", stmt, 2);
      add_string_or_null (builder, "action", stmt, 3);
      add_string_or_null (builder, "entity", stmt, 4);
      add_string_or_null (builder, "id", stmt, 5);
      add_string_or_null (builder, "mutation_id", stmt, 6);
      add_string_or_null (builder, "status", stmt, 7);
      add_string_or_null (builder, "detail", stmt, 8);
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, hash);
      json_builder_end_object (builder);
    }
  /* a read that stopped on an error must not pass for the log's end: a
   * client would call a truncated log intact */
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "reading the audit log");
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return finish_page (builder, next, has_more);
}

/* Streams the log in storage order through the verifier the desktop app
 * uses too (procura-audit.c), so both name the same damage. */
static gboolean
sqlite_audit_verify (ProcuraServerStorage  *storage,
                     ProcuraAuditReport    *report,
                     GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(ProcuraAuditVerifier) verifier = procura_audit_verifier_new ();
  sqlite3_stmt *stmt = NULL;
  int rc;

  memset (report, 0, sizeof *report);

  if (sqlite3_prepare_v2 (self->db,
                          "SELECT seq, at, actor, action, entity, id, mutation_id, status, detail, hash "
                          "FROM audit ORDER BY pos", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "reading the audit log");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraAuditEntry e;

      e.seq = sqlite3_column_int64 (stmt, 0);
      e.at = (const char *) sqlite3_column_text (stmt, 1);
      e.actor = (const char *) sqlite3_column_text (stmt, 2);
      e.action = (const char *) sqlite3_column_text (stmt, 3);
      e.entity = (const char *) sqlite3_column_text (stmt, 4);
      e.id = (const char *) sqlite3_column_text (stmt, 5);
      e.mutation_id = (const char *) sqlite3_column_text (stmt, 6);
      e.status = (const char *) sqlite3_column_text (stmt, 7);
      e.detail = (const char *) sqlite3_column_text (stmt, 8);
      procura_audit_verifier_add (verifier, &e, sqlite3_column_blob (stmt, 9),
                                  (gsize) sqlite3_column_bytes (stmt, 9));
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "reading the audit log");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  procura_audit_verifier_finish (verifier, report);

  return TRUE;
}

/* ---- backup ---------------------------------------------------------- */

static gboolean
sqlite_backup (ProcuraServerStorage  *storage,
               const char            *path,
               GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INVALID,
                   "%s: the file exists already", path);
      return FALSE;
    }

  /* VACUUM INTO reads one snapshot: consistent while the server writes */
  if (sqlite3_prepare_v2 (self->db, "VACUUM INTO ?", -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "backing up");
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "backing up");
      return FALSE;
    }

  return TRUE;
}

/* ---- the changes feed ------------------------------------------------ */

/* Moves a record to the end of the feed (or puts it there). */
static gboolean
feed_record (SqliteStorage  *self,
             const char     *entity,
             const char     *record_id,
             const char     *project_id,
             GError        **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "DELETE FROM server_feed WHERE record_id = ? AND kind = 'record'", error)))
    return FALSE;
  bind_text (stmt, 1, record_id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (!(stmt = prepare (self,
                        "INSERT INTO server_feed (kind, entity, record_id, project_id) VALUES ('record', ?, ?, ?)",
                        error)))
    return FALSE;
  bind_text (stmt, 1, entity);
  bind_text (stmt, 2, record_id);
  bind_text (stmt, 3, project_id);

  return step_done (self, stmt, error);
}

static gboolean
feed_organization (SqliteStorage  *self,
                   const char     *org_id,
                   GError        **error)
{
  return org_id == NULL || org_id[0] == '\0' || feed_record (self, "organization", org_id, NULL, error);
}

/* The value a change wrote to field, if it changed it. */
static gboolean
changed_to (SqliteStorage  *self,
            gint64          change_id,
            const char     *field,
            char          **out_old,
            char          **out_new,
            GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  *out_old = *out_new = NULL;
  if (!(stmt = prepare (self, "SELECT old_value, new_value FROM history WHERE change_id = ? AND field = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, change_id);
  bind_text (stmt, 2, field);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *out_old = column_dup (stmt, 0);
      *out_new = column_dup (stmt, 1);
      found = TRUE;
    }
  sqlite3_reset (stmt);

  return found;
}

/* A project came into an agency's scope: everything under it goes to
 * the end of the feed again, after the project, so that the agency's
 * next pull brings it all whatever its cursor. */
static gboolean
feed_project_again (SqliteStorage  *self,
                    const char     *project_id,
                    GError        **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self,
                        "SELECT entity, record_id FROM server_feed WHERE project_id = ? AND kind = 'record' "
                        "AND record_id <> ?1 ORDER BY seq", error)))
    return FALSE;
  bind_text (stmt, 1, project_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_ptr_array_add (children, column_dup (stmt, 0));
      g_ptr_array_add (children, column_dup (stmt, 1));
    }
  sqlite3_reset (stmt);

  for (guint i = 0; i + 1 < children->len; i += 2)
    if (!feed_record (self, g_ptr_array_index (children, i), g_ptr_array_index (children, i + 1),
                      project_id, error))
      return FALSE;

  return TRUE;
}

static gboolean
feed_revoked (SqliteStorage  *self,
              const char     *project_id,
              const char     *org_id,
              GError        **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "DELETE FROM server_feed WHERE record_id = ? AND kind = 'revoked' AND org_id = ?",
                        error)))
    return FALSE;
  bind_text (stmt, 1, project_id);
  bind_text (stmt, 2, org_id);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (!(stmt = prepare (self,
                        "INSERT INTO server_feed (kind, entity, record_id, project_id, org_id) "
                        "VALUES ('revoked', 'project', ?1, ?1, ?2)", error)))
    return FALSE;
  bind_text (stmt, 1, project_id);
  bind_text (stmt, 2, org_id);

  return step_done (self, stmt, error);
}

/* Feeds every change written since the last call, in commit order
 * (cascades and writes made outside pushes included). A record that
 * names an organization an agency may not have seen yet (a project's
 * buyer and agency, an evaluation's evaluator) sends that organization
 * again first; a project that changes agency sends itself and everything
 * under it to the new one, and a revoked entry to the old one. */
static gboolean
feed_changes (SqliteStorage  *self,
              GError        **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gint64 last = 0;
  gint64 max_id = 0;

  if (!(stmt = prepare (self, "SELECT value FROM meta WHERE key = 'server_feed_change'", error)))
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    last = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (!(stmt = prepare (self, "SELECT id, entity, record_id, project_id FROM change WHERE id > ? ORDER BY id", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      max_id = sqlite3_column_int64 (stmt, 0);
      g_ptr_array_add (rows, g_strdup_printf ("%" G_GINT64_FORMAT, max_id));
      g_ptr_array_add (rows, column_dup (stmt, 1));
      g_ptr_array_add (rows, column_dup (stmt, 2));
      g_ptr_array_add (rows, column_dup (stmt, 3));
    }
  sqlite3_reset (stmt);
  if (max_id == 0)
    return TRUE;

  for (guint i = 0; i + 3 < rows->len; i += 4)
    {
      gint64 change_id = g_ascii_strtoll (g_ptr_array_index (rows, i), NULL, 10);
      const char *entity = g_ptr_array_index (rows, i + 1);
      const char *record_id = g_ptr_array_index (rows, i + 2);
      const char *project_id = g_ptr_array_index (rows, i + 3);
      g_autofree char *old_agency = NULL, *new_agency = NULL;
      g_autofree char *old_buyer = NULL, *new_buyer = NULL;
      g_autofree char *old_evaluator = NULL, *new_evaluator = NULL;
      gboolean agency_changed = FALSE;

      if (strcmp (entity, "project") == 0)
        {
          agency_changed = changed_to (self, change_id, "agency_id", &old_agency, &new_agency, NULL);
          changed_to (self, change_id, "buyer_id", &old_buyer, &new_buyer, NULL);
          if (!feed_organization (self, new_buyer, error) ||
              !feed_organization (self, new_agency, error))
            return FALSE;
        }
      else if (strcmp (entity, "evaluation") == 0)
        {
          changed_to (self, change_id, "evaluator_org_id", &old_evaluator, &new_evaluator, NULL);
          if (!feed_organization (self, new_evaluator, error))
            return FALSE;
        }

      if (!feed_record (self, entity, record_id, project_id, error))
        return FALSE;

      if (agency_changed)
        {
          if (old_agency != NULL && !feed_revoked (self, record_id, old_agency, error))
            return FALSE;
          if (new_agency != NULL && !feed_project_again (self, record_id, error))
            return FALSE;
        }
    }

  if (!(stmt = prepare (self, "INSERT OR REPLACE INTO meta (key, value) VALUES ('server_feed_change', ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, max_id);

  return step_done (self, stmt, error);
}

/* ---- push and changes (procura-server-push.c) ------------------------ */

static gboolean
sqlite_push (ProcuraServerStorage     *storage,
             const ProcuraServerUser  *user,
             const char               *device,
             const char               *idempotency_key,
             const char               *body_sha256,
             JsonArray                *mutations,
             ProcuraPushAnswer        *answer,
             GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;
  g_autofree char *body = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!begin (self, error))
    return FALSE;

  if (!(stmt = prepare (self, "DELETE FROM server_idempotency WHERE created_at < ?", error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, now - IDEMPOTENCY_RETENTION);
  if (!step_done (self, stmt, error))
    goto fail;

  if (!(stmt = prepare (self,
                        "SELECT body_sha256, status, response FROM server_idempotency "
                        "WHERE username = ? AND key = ?", error)))
    goto fail;
  bind_text (stmt, 1, user->name);
  bind_text (stmt, 2, idempotency_key);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gboolean same = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), body_sha256) == 0;
      int status = sqlite3_column_int (stmt, 1);

      answer->status = status;
      answer->body = column_dup (stmt, 2);
      sqlite3_reset (stmt);
      procura_store_rollback (self->store);

      if (!same)
        {
          g_clear_pointer (&answer->body, g_free);
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_KEY_REUSED,
                       "this Idempotency-Key was used for another request");
          return FALSE;
        }
      /* Only a backend with concurrent workers leaves status 0 behind
       * while another worker holds the request; here one transaction
       * covers the whole push, so a crash leaves no row at all. */
      if (status == 0)
        {
          g_clear_pointer (&answer->body, g_free);
          g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_KEY_IN_FLIGHT,
                       "a request with this Idempotency-Key is still being processed");
          return FALSE;
        }
      return TRUE;
    }
  sqlite3_reset (stmt);

  body = procura_server_apply_push (self->store, storage, user, device, mutations, error);
  if (body == NULL)
    goto fail;

  if (!feed_changes (self, error))
    goto fail;

  if (!(stmt = prepare (self,
                        "INSERT INTO server_idempotency (username, key, body_sha256, status, response, created_at) "
                        "VALUES (?, ?, ?, 200, ?, ?)", error)))
    goto fail;
  bind_text (stmt, 1, user->name);
  bind_text (stmt, 2, idempotency_key);
  bind_text (stmt, 3, body_sha256);
  bind_text (stmt, 4, body);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!step_done (self, stmt, error))
    goto fail;

  if (!commit (self, error))
    return FALSE;

  answer->status = 200;
  answer->body = g_steal_pointer (&body);
  return TRUE;

fail:
  procura_store_rollback (self->store);
  return FALSE;
}

/* ---- pages of the feed, written as text ------------------------------ */

/* A JSON string: only what JSON requires is escaped (UTF-8 passes). */
static void
append_json_string (GString    *out,
                    const char *text)
{
  const char *run = text;

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:   g_string_append_printf (out, "\\u%04x", c); break;
        }
      run = p + 1;
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

/* The statement reading one record of entity by id, with the columns of
 * _procura_store_select_columns(). */
static sqlite3_stmt *
record_read (SqliteStorage            *self,
             const ProcuraEntityInfo  *entity,
             GError                  **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->record_reads, entity);
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      return stmt;
    }
  columns = _procura_store_select_columns (entity, NULL);
  sql = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?", columns, entity->name);
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (self, error, "preparing a statement");
      return NULL;
    }
  g_hash_table_insert (self->record_reads, (gpointer) entity, stmt);

  return stmt;
}

/* One record as procura_record_to_json() has it (procura-json.h), written
 * straight from its row: a page holds up to a thousand of them, and
 * building each as a ProcuraRecord, then a JsonNode, then text cost the
 * server most of a page's time. */
static void
append_record_json (GString                 *out,
                    const ProcuraEntityInfo *entity,
                    sqlite3_stmt            *row,
                    gboolean                 withhold_personal)
{
  g_string_append (out, "{\"entity\":");
  append_json_string (out, entity->name);
  g_string_append (out, ",\"id\":");
  append_json_string (out, (const char *) sqlite3_column_text (row, 0));
  g_string_append_printf (out, ",\"rev\":%" G_GINT64_FORMAT ",\"deleted\":%s,\"updated_at\":",
                          (gint64) sqlite3_column_int64 (row, 1),
                          sqlite3_column_int (row, 2) != 0 ? "true" : "false");
  if (sqlite3_column_type (row, 3) == SQLITE_NULL)
    g_string_append (out, "null");
  else
    append_json_string (out, (const char *) sqlite3_column_text (row, 3));
  g_string_append (out, ",\"fields\":{");
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      int col = 4 + (int) i;

      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, field->name);
      g_string_append_c (out, ':');
      if (sqlite3_column_type (row, col) == SQLITE_NULL ||
          (withhold_personal && (field->flags & PROCURA_FIELD_PERSONAL)))
        {
          g_string_append (out, "null");
          continue;
        }
      switch (field->type)
        {
        case PROCURA_FIELD_INT:
        case PROCURA_FIELD_MONEY:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (row, col));
          break;
        case PROCURA_FIELD_DECIMAL:
          {
            g_autofree char *text = procura_decimal_format (sqlite3_column_int64 (row, col));

            append_json_string (out, text);
          }
          break;
        case PROCURA_FIELD_BOOL:
          g_string_append (out, sqlite3_column_int (row, col) != 0 ? "true" : "false");
          break;
        default:
          append_json_string (out, (const char *) sqlite3_column_text (row, col));
          break;
        }
    }
  g_string_append (out, "}}");
}

static char *
sqlite_changes (ProcuraServerStorage     *storage,
                const ProcuraServerUser  *user,
                gint64                    since,
                guint                     limit,
                GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(GString) out = g_string_sized_new (64 * 1024);
  g_autofree char *org_id = NULL;
  sqlite3_stmt *stmt;
  gint64 next = since;
  guint n = 0;
  gboolean has_more = FALSE;
  gboolean first = TRUE;

  if (user->role == PROCURA_ROLE_AGENCY)
    {
      org_id = procura_server_agency_org_id (self->store, user);
      /* An agency sees its organization, the projects it carries out
       * with everything under them, the organizations those projects
       * name, and the grade schemes. */
      stmt = prepare (self,
                      "SELECT seq, entity, record_id, kind FROM server_feed f WHERE seq > ?1 AND ("
                      " (f.kind = 'revoked' AND f.org_id = ?3) OR (f.kind = 'record' AND ("
                      " f.entity = 'grade_scheme'"
                      " OR f.project_id IN (SELECT id FROM project WHERE agency_id = ?3)"
                      " OR (f.entity = 'organization' AND (f.record_id = ?3"
                      "   OR f.record_id IN (SELECT buyer_id FROM project WHERE agency_id = ?3)"
                      "   OR f.record_id IN (SELECT e.evaluator_org_id FROM evaluation e"
                      "                      JOIN project p ON p.id = e.project_id WHERE p.agency_id = ?3))))))"
                      " ORDER BY seq LIMIT ?2", error);
    }
  else
    stmt = prepare (self, "SELECT seq, entity, record_id, kind FROM server_feed "
                    "WHERE seq > ?1 AND kind = 'record' ORDER BY seq LIMIT ?2", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, since);
  sqlite3_bind_int64 (stmt, 2, (gint64) limit + 1);
  if (user->role == PROCURA_ROLE_AGENCY)
    bind_text (stmt, 3, org_id);

  /* the feed statement stays open over the page, so every record read
   * below sees the same snapshot as the feed rows */
  g_string_append (out, "{\"changes\":[");
  for (;;)
    {
      const ProcuraEntityInfo *entity;
      sqlite3_stmt *row;
      int rc = sqlite3_step (stmt);

      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW)
        {
          set_sqlite_error (self, error, "reading the changes");
          sqlite3_reset (stmt);
          return NULL;
        }
      if (n == limit)
        {
          has_more = TRUE;
          break;
        }
      n++;
      next = sqlite3_column_int64 (stmt, 0);
      if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "revoked") == 0)
        {
          g_string_append_printf (out, "%s{\"seq\":%" G_GINT64_FORMAT ",\"revoked\":{\"entity\":\"project\",\"id\":",
                                  first ? "" : ",", next);
          append_json_string (out, (const char *) sqlite3_column_text (stmt, 2));
          g_string_append (out, "}}");
          first = FALSE;
          continue;
        }
      entity = procura_schema_lookup ((const char *) sqlite3_column_text (stmt, 1));
      if (entity == NULL)
        continue;
      if (!(row = record_read (self, entity, error)))
        {
          sqlite3_reset (stmt);
          return NULL;
        }
      sqlite3_bind_text (row, 1, (const char *) sqlite3_column_text (stmt, 2), -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (row);
      if (rc == SQLITE_ROW)
        {
          g_string_append_printf (out, "%s{\"seq\":%" G_GINT64_FORMAT ",\"record\":", first ? "" : ",", next);
          /* an agency reads its own organization; of the others its
           * projects name (buyer, evaluators) it gets the name, not the
           * people's contact details (product.md §4: "read own") */
          gboolean withhold = user->role == PROCURA_ROLE_AGENCY && strcmp (entity->name, "organization") == 0 &&
                              g_strcmp0 ((const char *) sqlite3_column_text (stmt, 2), org_id) != 0;

          append_record_json (out, entity, row, withhold);
          g_string_append_c (out, '}');
          first = FALSE;
        }
      sqlite3_reset (row);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          set_sqlite_error (self, error, "reading the changes");
          sqlite3_reset (stmt);
          return NULL;
        }
    }
  sqlite3_reset (stmt);
  g_string_append_printf (out, "],\"next\":\"%" G_GINT64_FORMAT "\",\"has_more\":%s}",
                          next, has_more ? "true" : "false");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_value_member (JsonBuilder  *builder,
                  sqlite3_stmt *stmt,
                  int           col)
{
  g_autoptr(JsonNode) value = NULL;

  json_builder_set_member_name (builder, "value");
  if (sqlite3_column_type (stmt, col) != SQLITE_NULL)
    value = json_from_string ((const char *) sqlite3_column_text (stmt, col), NULL);
  if (value != NULL)
    json_builder_add_value (builder, g_steal_pointer (&value));
  else
    json_builder_add_null_value (builder);
}

static char *
sqlite_conflicts (ProcuraServerStorage     *storage,
                  const ProcuraServerUser  *user,
                  GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *org_id = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (user->role == PROCURA_ROLE_AGENCY)
    {
      org_id = procura_server_agency_org_id (self->store, user);
      stmt = prepare (self,
                      "SELECT id, kind, entity, record_id, field, mutation_id, server_value, server_rev, "
                      "server_by, yours_value, yours_by, at FROM server_conflict c WHERE status = 'open' AND ("
                      " c.project_id IN (SELECT id FROM project WHERE agency_id = ?1)"
                      " OR (c.entity = 'organization' AND c.record_id = ?1)) ORDER BY id", error);
    }
  else
    stmt = prepare (self,
                    "SELECT id, kind, entity, record_id, field, mutation_id, server_value, server_rev, "
                    "server_by, yours_value, yours_by, at FROM server_conflict WHERE status = 'open' ORDER BY id",
                    error);
  if (stmt == NULL)
    return NULL;
  if (org_id != NULL)
    bind_text (stmt, 1, org_id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "conflicts");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      add_string_or_null (builder, "kind", stmt, 1);
      add_string_or_null (builder, "entity", stmt, 2);
      add_string_or_null (builder, "record_id", stmt, 3);
      add_string_or_null (builder, "field", stmt, 4);
      add_string_or_null (builder, "mutation_id", stmt, 5);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, "open");
      add_string_or_null (builder, "at", stmt, 11);
      json_builder_set_member_name (builder, "server");
      json_builder_begin_object (builder);
      add_value_member (builder, stmt, 6);
      json_builder_set_member_name (builder, "rev");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 7));
      add_string_or_null (builder, "by", stmt, 8);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "yours");
      json_builder_begin_object (builder);
      add_value_member (builder, stmt, 9);
      add_string_or_null (builder, "by", stmt, 10);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "reading the conflicts");
      return NULL;
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return procura_json_to_string (root, FALSE);
}

static char *
sqlite_resolve_conflict (ProcuraServerStorage     *storage,
                         const ProcuraServerUser  *user,
                         gint64                    conflict_id,
                         const char               *keep,
                         GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autofree char *answer = NULL;

  if (!begin (self, error))
    return NULL;
  answer = procura_server_resolve_conflict (self->store, storage, user, conflict_id, keep, error);
  if (answer == NULL || !feed_changes (self, error) || !commit (self, error))
    {
      procura_store_rollback (self->store);
      return NULL;
    }

  return g_steal_pointer (&answer);
}

/* ---- blobs and uploads ---------------------------------------------- */

void
procura_server_upload_free (ProcuraServerUpload *upload)
{
  if (upload == NULL)
    return;
  g_free (upload->id);
  g_free (upload->username);
  g_free (upload->sha256);
  g_free (upload);
}

static const char *
sqlite_files_dir (ProcuraServerStorage *storage)
{
  SqliteStorage *self = (SqliteStorage *) storage;

  return procura_store_get_data_dir (self->store);
}

static gboolean
sqlite_blob_readable (ProcuraServerStorage     *storage,
                      const ProcuraServerUser  *user,
                      const char               *sha256,
                      gboolean                 *out_readable,
                      GError                  **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  g_autofree char *org_id = NULL;
  sqlite3_stmt *stmt;
  int rc;

  *out_readable = FALSE;
  if (user->role == PROCURA_ROLE_AGENCY)
    {
      /* an agency whose organization is not on the server yet sees
       * nothing: NULL never equals agency_id */
      org_id = procura_server_agency_org_id (self->store, user);
      stmt = prepare (self,
                      "SELECT 1 FROM attachment a JOIN project p ON p.id = a.project_id"
                      " WHERE a.sha256 = ?1 AND a.deleted = 0 AND p.agency_id = ?2 LIMIT 1", error);
    }
  else
    stmt = prepare (self, "SELECT 1 FROM attachment WHERE sha256 = ?1 AND deleted = 0 LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, sha256);
  if (user->role == PROCURA_ROLE_AGENCY)
    bind_text (stmt, 2, org_id);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, "reading the attachments");
      return FALSE;
    }
  *out_readable = rc == SQLITE_ROW;

  return TRUE;
}

static gboolean
sqlite_upload_add (ProcuraServerStorage       *storage,
                   const ProcuraServerUpload  *upload,
                   GError                    **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "INSERT INTO server_upload (id, username, sha256, size, upload_offset, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  bind_text (stmt, 1, upload->id);
  bind_text (stmt, 2, upload->username);
  bind_text (stmt, 3, upload->sha256);
  sqlite3_bind_int64 (stmt, 4, upload->size);
  sqlite3_bind_int64 (stmt, 5, upload->offset);
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);

  return step_done (self, stmt, error);
}

static ProcuraServerUpload *
sqlite_upload_get (ProcuraServerStorage  *storage,
                   const char            *id,
                   const char            *username,
                   const char            *sha256,
                   GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  ProcuraServerUpload *upload = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (id != NULL)
    {
      if (!(stmt = prepare (self, "SELECT id, username, sha256, size, upload_offset FROM server_upload"
                            " WHERE id = ?", error)))
        return NULL;
      bind_text (stmt, 1, id);
    }
  else
    {
      if (!(stmt = prepare (self, "SELECT id, username, sha256, size, upload_offset FROM server_upload"
                            " WHERE username = ? AND sha256 = ? ORDER BY created_at DESC LIMIT 1", error)))
        return NULL;
      bind_text (stmt, 1, username);
      bind_text (stmt, 2, sha256);
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      upload = g_new0 (ProcuraServerUpload, 1);
      upload->id = column_dup (stmt, 0);
      upload->username = column_dup (stmt, 1);
      upload->sha256 = column_dup (stmt, 2);
      upload->size = sqlite3_column_int64 (stmt, 3);
      upload->offset = sqlite3_column_int64 (stmt, 4);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND, "no such upload");
  else
    set_sqlite_error (self, error, "reading the uploads");
  sqlite3_reset (stmt);

  return upload;
}

static gboolean
sqlite_upload_set_offset (ProcuraServerStorage  *storage,
                          const char            *id,
                          gint64                 offset,
                          GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "UPDATE server_upload SET upload_offset = ? WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, offset);
  bind_text (stmt, 2, id);

  return step_done (self, stmt, error);
}

static gboolean
sqlite_upload_remove (ProcuraServerStorage  *storage,
                      const char            *id,
                      GError               **error)
{
  SqliteStorage *self = (SqliteStorage *) storage;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "DELETE FROM server_upload WHERE id = ?", error)))
    return FALSE;
  bind_text (stmt, 1, id);

  return step_done (self, stmt, error);
}

/* At start-up: uploads nobody finished within UPLOAD_RETENTION go, and
 * then every file in uploads/ without a row (theirs, and any a crash left
 * between removing a row and its file). A failure here only delays the
 * clean-up to the next start. */
static void
prune_uploads (SqliteStorage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir_path = g_build_filename (procura_store_get_data_dir (self->store), "uploads", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  sqlite3_stmt *stmt;

  if (!(stmt = prepare (self, "DELETE FROM server_upload WHERE created_at < ?", &error)))
    goto fail;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time () / G_USEC_PER_SEC - UPLOAD_RETENTION);
  if (!step_done (self, stmt, &error))
    goto fail;

  if (!(dir = g_dir_open (dir_path, 0, NULL)))
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int rc;

      if (!(stmt = prepare (self, "SELECT 1 FROM server_upload WHERE id = ?", &error)))
        goto fail;
      bind_text (stmt, 1, name);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);

          g_unlink (path);
        }
    }
  return;

fail:
  g_printerr ("procura-server: pruning uploads: %s\n", error->message);
}

/* Brings the feed up to date with writes made outside pushes (the
 * server's first start on an existing database, the CLI). */
static gboolean
refresh_feed (SqliteStorage  *self,
              GError        **error)
{

  if (!begin (self, error))
    return FALSE;
  if (!feed_changes (self, error))
    {
      procura_store_rollback (self->store);
      return FALSE;
    }

  return commit (self, error);
}

/* ---- life cycle ------------------------------------------------------ */

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
sqlite_free (ProcuraServerStorage *storage)
{
  SqliteStorage *self = (SqliteStorage *) storage;

  /* the store closes the database: our statements must be gone first */
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->record_reads, g_hash_table_unref);
  g_clear_object (&self->store);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}

static const ProcuraServerStorageOps sqlite_ops = {
  .free = sqlite_free,
  .user_add = sqlite_user_add,
  .user_get = sqlite_user_get,
  .user_list = sqlite_user_list,
  .user_set_disabled = sqlite_user_set_disabled,
  .user_set_password = sqlite_user_set_password,
  .user_revoke_tokens = sqlite_user_revoke_tokens,
  .token_add = sqlite_token_add,
  .token_lookup = sqlite_token_lookup,
  .token_revoke = sqlite_token_revoke,
  .push = sqlite_push,
  .changes = sqlite_changes,
  .conflicts = sqlite_conflicts,
  .resolve_conflict = sqlite_resolve_conflict,
  .audit_append = sqlite_audit_append,
  .audit_read = sqlite_audit_read,
  .audit_verify = sqlite_audit_verify,
  .backup = sqlite_backup,
  .files_dir = sqlite_files_dir,
  .blob_readable = sqlite_blob_readable,
  .upload_add = sqlite_upload_add,
  .upload_get = sqlite_upload_get,
  .upload_set_offset = sqlite_upload_set_offset,
  .upload_remove = sqlite_upload_remove,
};

ProcuraServerStorage *
procura_server_storage_sqlite_new (const char  *data_dir,
                                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  SqliteStorage *self;

  store = procura_store_open (data_dir, &local_error);
  if (store == NULL)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "%s", local_error->message);
      return NULL;
    }
  procura_store_set_server_mode (store, TRUE);
  procura_store_set_actor (store, "server");

  self = g_new0 (SqliteStorage, 1);
  self->parent.ops = &sqlite_ops;
  self->store = g_steal_pointer (&store);
  self->db = procura_store_get_sqlite (self->store);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, finalize_statement);
  self->record_reads = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
  self->scratch = g_string_sized_new (512);

  if (!ensure_schema (self, error) || !refresh_feed (self, error))
    {
      sqlite_free (&self->parent);
      return NULL;
    }
  prune_uploads (self);

  return &self->parent;
}
