/* procura-store-migrations.c — schema versions of the local store
 *
 * Each migration takes the database from version N-1 to N in one
 * transaction and sets PRAGMA user_version. A migration, once released,
 * never changes: later schema changes are new entries. tests/fixtures holds
 * a database of every earlier version for the migration tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "procura-error.h"
#include "procura-store-private.h"

/* Version 1: the entities of product.md §2, history and outbox. */
static const char migration_1[] =
  "CREATE TABLE organization (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  name TEXT NOT NULL,\n"
  "  uscc TEXT NOT NULL,\n"
  "  kind TEXT NOT NULL,\n"
  "  address TEXT,\n"
  "  contact_person TEXT,\n"
  "  contact_phone TEXT,\n"
  "  contact_email TEXT,\n"
  "  note TEXT\n"
  ");\n"
  "CREATE TABLE grade_scheme (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  name TEXT NOT NULL,\n"
  "  bands TEXT NOT NULL\n"
  ");\n"
  "CREATE TABLE project (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  code TEXT NOT NULL,\n"
  "  title TEXT NOT NULL,\n"
  "  description TEXT,\n"
  "  buyer_id TEXT REFERENCES organization (id),\n"
  "  agency_id TEXT REFERENCES organization (id),\n"
  "  category TEXT NOT NULL,\n"
  "  method TEXT NOT NULL,\n"
  "  budget INTEGER,\n"
  "  funding_source TEXT,\n"
  "  budget_year INTEGER,\n"
  "  contract_no TEXT,\n"
  "  value INTEGER,\n"
  "  start_date TEXT,\n"
  "  end_date TEXT,\n"
  "  date_signed TEXT,\n"
  "  date_filed TEXT,\n"
  "  street TEXT,\n"
  "  community TEXT,\n"
  "  status TEXT NOT NULL,\n"
  "  grade_scheme_id TEXT REFERENCES grade_scheme (id)\n"
  ");\n"
  "CREATE TABLE amendment (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  date TEXT NOT NULL,\n"
  "  rationale TEXT NOT NULL,\n"
  "  description TEXT,\n"
  "  value_delta INTEGER,\n"
  "  new_end_date TEXT\n"
  ");\n"
  "CREATE TABLE milestone (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  title TEXT NOT NULL,\n"
  "  type TEXT NOT NULL,\n"
  "  code TEXT,\n"
  "  due_date TEXT NOT NULL,\n"
  "  date_met TEXT,\n"
  "  status TEXT NOT NULL,\n"
  "  outside_period_allowed INTEGER CHECK (outside_period_allowed IN (0, 1)),\n"
  "  description TEXT\n"
  ");\n"
  "CREATE TABLE payment (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  milestone_id TEXT REFERENCES milestone (id),\n"
  "  title TEXT NOT NULL,\n"
  "  planned_amount INTEGER NOT NULL,\n"
  "  planned_date TEXT,\n"
  "  condition TEXT,\n"
  "  status TEXT NOT NULL,\n"
  "  paid_date TEXT,\n"
  "  paid_amount INTEGER,\n"
  "  voucher_no TEXT\n"
  ");\n"
  "CREATE TABLE report (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  milestone_id TEXT REFERENCES milestone (id),\n"
  "  submitter_org_id TEXT REFERENCES organization (id),\n"
  "  kind TEXT,\n"
  "  title TEXT NOT NULL,\n"
  "  period_start TEXT,\n"
  "  period_end TEXT,\n"
  "  narrative TEXT,\n"
  "  state TEXT NOT NULL,\n"
  "  review_comment TEXT,\n"
  "  submitted_at TEXT,\n"
  "  reviewed_at TEXT\n"
  ");\n"
  "CREATE TABLE attachment (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  report_id TEXT REFERENCES report (id),\n"
  "  name TEXT NOT NULL,\n"
  "  mime_type TEXT NOT NULL,\n"
  "  size INTEGER NOT NULL,\n"
  "  sha256 TEXT NOT NULL,\n"
  "  doc_type TEXT,\n"
  "  contains_personal_info INTEGER CHECK (contains_personal_info IN (0, 1))\n"
  ");\n"
  "CREATE TABLE evaluation (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  kind TEXT NOT NULL,\n"
  "  evaluator_org_id TEXT REFERENCES organization (id),\n"
  "  date TEXT NOT NULL,\n"
  "  status TEXT NOT NULL,\n"
  "  comment TEXT\n"
  ");\n"
  "CREATE TABLE criterion (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  evaluation_id TEXT NOT NULL REFERENCES evaluation (id),\n"
  "  parent_id TEXT REFERENCES criterion (id),\n"
  "  level INTEGER NOT NULL,\n"
  "  position INTEGER,\n"
  "  name TEXT NOT NULL,\n"
  "  weight INTEGER NOT NULL,\n"
  "  score INTEGER,\n"
  "  comment TEXT\n"
  ");\n"
  "CREATE TABLE indicator (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  title TEXT NOT NULL,\n"
  "  result_type TEXT NOT NULL,\n"
  "  measure TEXT NOT NULL,\n"
  "  unit TEXT,\n"
  "  ascending INTEGER NOT NULL CHECK (ascending IN (0, 1)),\n"
  "  baseline_value INTEGER,\n"
  "  baseline_date TEXT,\n"
  "  target_value INTEGER,\n"
  "  dimension TEXT\n"
  ");\n"
  "CREATE TABLE indicator_period (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  indicator_id TEXT NOT NULL REFERENCES indicator (id),\n"
  "  period_start TEXT NOT NULL,\n"
  "  period_end TEXT NOT NULL,\n"
  "  target_value INTEGER,\n"
  "  actual_value INTEGER,\n"
  "  comment TEXT\n"
  ");\n"
  "CREATE TABLE activity (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  kind TEXT NOT NULL,\n"
  "  title TEXT NOT NULL,\n"
  "  date TEXT NOT NULL,\n"
  "  location TEXT,\n"
  "  community TEXT,\n"
  "  participants INTEGER,\n"
  "  residents INTEGER,\n"
  "  volunteers INTEGER,\n"
  "  partner_staff INTEGER,\n"
  "  note TEXT\n"
  ");\n"
  "CREATE TABLE consultation (\n"
  "  id TEXT PRIMARY KEY NOT NULL,\n"
  "  rev INTEGER NOT NULL DEFAULT 0,\n"
  "  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n"
  "  created_at TEXT NOT NULL,\n"
  "  updated_at TEXT NOT NULL,\n"
  "  project_id TEXT NOT NULL REFERENCES project (id),\n"
  "  month TEXT NOT NULL,\n"
  "  source TEXT NOT NULL,\n"
  "  topic TEXT NOT NULL,\n"
  "  raised_by TEXT,\n"
  "  parties TEXT,\n"
  "  meeting_id TEXT REFERENCES activity (id),\n"
  "  resolution TEXT,\n"
  "  status TEXT NOT NULL\n"
  ");\n"
  "CREATE UNIQUE INDEX organization_uscc ON organization (uscc) WHERE deleted = 0;\n"
  "CREATE UNIQUE INDEX grade_scheme_name ON grade_scheme (name) WHERE deleted = 0;\n"
  "CREATE UNIQUE INDEX project_code ON project (code) WHERE deleted = 0;\n"
  "CREATE INDEX project_agency ON project (agency_id);\n"
  "CREATE INDEX project_buyer ON project (buyer_id);\n"
  "CREATE INDEX amendment_project ON amendment (project_id, value_delta) WHERE deleted = 0;\n"
  "CREATE INDEX milestone_project ON milestone (project_id, status, due_date) WHERE deleted = 0;\n"
  "CREATE INDEX milestone_due ON milestone (due_date) WHERE deleted = 0;\n"
  "CREATE INDEX payment_project ON payment (project_id, status, paid_amount) WHERE deleted = 0;\n"
  "CREATE INDEX payment_milestone ON payment (milestone_id);\n"
  "CREATE INDEX report_project ON report (project_id);\n"
  "CREATE INDEX report_milestone ON report (milestone_id);\n"
  "CREATE INDEX attachment_project ON attachment (project_id);\n"
  "CREATE INDEX attachment_report ON attachment (report_id);\n"
  "CREATE INDEX attachment_sha256 ON attachment (sha256);\n"
  "CREATE INDEX evaluation_project ON evaluation (project_id, status, date) WHERE deleted = 0;\n"
  "CREATE INDEX criterion_evaluation ON criterion (evaluation_id, score) WHERE deleted = 0;\n"
  "CREATE INDEX criterion_parent ON criterion (parent_id);\n"
  "CREATE INDEX criterion_project ON criterion (project_id);\n"
  "CREATE INDEX indicator_project ON indicator (project_id);\n"
  "CREATE INDEX indicator_period_indicator ON indicator_period (indicator_id);\n"
  "CREATE INDEX indicator_period_project ON indicator_period (project_id);\n"
  "CREATE INDEX activity_project ON activity (project_id);\n"
  "CREATE INDEX consultation_project ON consultation (project_id);\n"
  "CREATE INDEX consultation_meeting ON consultation (meeting_id);\n"
  "\n"
  "CREATE TABLE meta (\n"
  "  key TEXT PRIMARY KEY NOT NULL,\n"
  "  value TEXT\n"
  ") WITHOUT ROWID;\n"
  "\n"
  "-- One row per write through the write path; history rows hang off it.\n"
  "CREATE TABLE change (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  mutation_id TEXT NOT NULL UNIQUE,\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  project_id TEXT,\n"
  "  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),\n"
  "  actor TEXT NOT NULL,\n"
  "  device TEXT NOT NULL,\n"
  "  at TEXT NOT NULL,\n"
  "  base_rev INTEGER NOT NULL\n"
  ");\n"
  "CREATE INDEX change_record ON change (record_id);\n"
  "CREATE INDEX change_project ON change (project_id);\n"
  "\n"
  "CREATE TABLE history (\n"
  "  change_id INTEGER NOT NULL REFERENCES change (id),\n"
  "  field TEXT NOT NULL,\n"
  "  old_value TEXT,\n"
  "  new_value TEXT,\n"
  "  PRIMARY KEY (change_id, field)\n"
  ") WITHOUT ROWID;\n"
  "\n"
  "-- Writes not yet acknowledged by the server.\n"
  "CREATE TABLE outbox (\n"
  "  change_id INTEGER PRIMARY KEY REFERENCES change (id),\n"
  "  mutation_id TEXT NOT NULL,\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  op TEXT NOT NULL,\n"
  "  base_rev INTEGER NOT NULL,\n"
  "  fields TEXT NOT NULL\n"
  ");\n"
  "\n"
  "-- History is append-only: nothing may rewrite or remove it.\n"
  "CREATE TRIGGER change_no_update BEFORE UPDATE ON change\n"
  "BEGIN SELECT RAISE (ABORT, 'history is append-only'); END;\n"
  "CREATE TRIGGER change_no_delete BEFORE DELETE ON change\n"
  "BEGIN SELECT RAISE (ABORT, 'history is append-only'); END;\n"
  "CREATE TRIGGER history_no_update BEFORE UPDATE ON history\n"
  "BEGIN SELECT RAISE (ABORT, 'history is append-only'); END;\n"
  "CREATE TRIGGER history_no_delete BEFORE DELETE ON history\n"
  "BEGIN SELECT RAISE (ABORT, 'history is append-only'); END;\n"
  "\n"
  "CREATE VIEW history_view AS\n"
  "  SELECT c.id AS change_id, c.mutation_id, c.entity, c.record_id, c.project_id,\n"
  "         c.op, h.field, h.old_value, h.new_value, c.actor, c.device, c.at\n"
  "  FROM history h JOIN change c ON c.id = h.change_id;\n";

/* Version 2: sync. sync_state keeps what the client knows about its
 * server (URL, account, role, organization, the pull cursor) — never the
 * token, which lives in account.json (0600) or the keyring. conflict keeps
 * what the server reported (ordinary conflicts) and the mutations it
 * refused, so the user's values stay visible and restorable after they
 * leave the outbox. shadow keeps the server's value of fields a pull could
 * not apply because they had unpushed edits: if the push is then refused,
 * the local record goes back to the server's value. */
static const char migration_2[] =
  "CREATE TABLE sync_state (\n"
  "  key TEXT PRIMARY KEY NOT NULL,\n"
  "  value TEXT\n"
  ") WITHOUT ROWID;\n"
  "\n"
  "CREATE TABLE conflict (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  kind TEXT NOT NULL CHECK (kind IN ('conflict', 'rejected')),\n"
  "  mutation_id TEXT,\n"
  "  change_id INTEGER,\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  op TEXT NOT NULL,\n"
  "  field TEXT,\n"
  "  local_value TEXT,\n"
  "  server_value TEXT,\n"
  "  server_by TEXT,\n"
  "  server_rev INTEGER,\n"
  "  kept TEXT,\n"
  "  error TEXT,\n"
  "  reason TEXT,\n"
  "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),\n"
  "  resolution TEXT,\n"
  "  server_id INTEGER,\n"
  "  at TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX conflict_open ON conflict (status, id);\n"
  "CREATE UNIQUE INDEX conflict_server ON conflict (server_id) WHERE server_id IS NOT NULL;\n"
  "CREATE INDEX conflict_record ON conflict (record_id);\n"
  "\n"
  "CREATE TABLE shadow (\n"
  "  entity TEXT NOT NULL,\n"
  "  record_id TEXT NOT NULL,\n"
  "  field TEXT NOT NULL,\n"
  "  value TEXT,\n"
  "  rev INTEGER NOT NULL,\n"
  "  PRIMARY KEY (record_id, field)\n"
  ") WITHOUT ROWID;\n"
  "\n"
  "CREATE INDEX outbox_record ON outbox (record_id, change_id);\n"
  "CREATE INDEX outbox_mutation ON outbox (mutation_id);\n";

/* Version 3: OCDS releases kept for projects imported from OCDS
 * (procura-ocds-import.c). release is the compiled release as imported,
 * fields Procura does not model included; baseline is what Procura
 * exported for the project right after the import and idmap maps the ids
 * Procura gave the project's records to the release's own ids. An export
 * lays the changes since (the export now against baseline) over release.
 * Local to this store: not part of the records, history or sync. */
static const char migration_3[] =
  "CREATE TABLE ocds_release (\n"
  "  project_id TEXT PRIMARY KEY NOT NULL REFERENCES project (id),\n"
  "  ocid TEXT NOT NULL,\n"
  "  release TEXT NOT NULL,\n"
  "  baseline TEXT,\n"
  "  idmap TEXT,\n"
  "  imported_at TEXT NOT NULL\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX ocds_release_ocid ON ocds_release (ocid);\n";

static const char * const migrations[] = {
  NULL,           /* version 0: the empty database */
  migration_1,
  migration_2,
  migration_3,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PROCURA_STORE_SCHEMA_VERSION + 1);

static int
get_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

gboolean
_procura_store_check_version (sqlite3     *db,
                              const char  *db_path,
                              GError     **error)
{
  int version = get_user_version (db);

  if (version < 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: cannot read “%s”: %s"), db_path,
                   sqlite3_errmsg (db));
      return FALSE;
    }

  if (version > PROCURA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_SCHEMA_TOO_NEW,
                   _("Database: schema version %d was written by a newer Procura "
                     "(this one understands up to version %d); update Procura "
                     "to open it"),
                   version, PROCURA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}

gboolean
_procura_store_migrate (sqlite3  *db,
                        GError  **error)
{
  int version = get_user_version (db);

  if (version < 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Database: cannot read the schema version: %s"),
                   sqlite3_errmsg (db));
      return FALSE;
    }

  if (version > PROCURA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_SCHEMA_TOO_NEW,
                   _("Database: schema version %d was written by a newer Procura "
                     "(this one understands up to version %d); update Procura "
                     "to open it"),
                   version, PROCURA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int next = version + 1; next <= PROCURA_STORE_SCHEMA_VERSION; next++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", next);
      char *msg = NULL;

      if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
          sqlite3_exec (db, migrations[next], NULL, NULL, &msg) != SQLITE_OK ||
          sqlite3_exec (db, set_version, NULL, NULL, &msg) != SQLITE_OK ||
          sqlite3_exec (db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                       _("Database: migration to schema version %d failed: %s"),
                       next, msg != NULL ? msg : sqlite3_errmsg (db));
          sqlite3_free (msg);
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}
