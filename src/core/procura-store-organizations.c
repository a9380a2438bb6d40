/* procura-store-organizations.c — the organizations read model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "procura-grade.h"
#include "procura-organizations-query.h"
#include "procura-query.h"
#include "procura-store-private.h"
#include "procura-workflow.h"

/* ---- rows and search ------------------------------------------------- */

void
procura_organization_row_free (ProcuraOrganizationRow *row)
{
  if (row == NULL)
    return;

  g_free (row->id);
  g_free (row->name);
  g_free (row->uscc);
  g_free (row->kind);
  g_free (row->address);
  g_free (row->contact_person);
  g_free (row->contact_phone);
  g_free (row->average_grade);
  g_free (row->search_key);
  g_free (row);
}

char **
procura_organization_search_terms (const char *text)
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

gboolean
procura_organization_row_matches (const ProcuraOrganizationRow *row,
                                  const char * const           *folded_terms)
{
  g_return_val_if_fail (row != NULL, FALSE);

  if (folded_terms == NULL)
    return TRUE;

  for (guint i = 0; folded_terms[i] != NULL; i++)
    {
      if (strstr (row->search_key, folded_terms[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* What search looks in, one field a line so that a term never matches
 * across two fields. */
static char *
build_search_key (const ProcuraOrganizationRow *row)
{
  const ProcuraFieldInfo *kind = procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, "kind");
  g_autofree char *joined = NULL;

  joined = g_strjoin ("\n",
                      row->name != NULL ? row->name : "",
                      row->uscc != NULL ? row->uscc : "",
                      row->kind != NULL ? procura_field_enum_label (kind, row->kind) : "",
                      row->contact_person != NULL ? row->contact_person : "",
                      row->contact_phone != NULL ? row->contact_phone : "",
                      row->address != NULL ? row->address : "",
                      NULL);

  return g_utf8_casefold (joined, -1);
}

/* ---- the organizations query ----------------------------------------- */

/* The query is a few passes over whole tables (a scan of a table or of a
 * covering index is far cheaper than 2,000 look-ups per organization),
 * merged here by id:
 *
 *   organizations            → the rows
 *   projects                 → per agency and buyer: counts and values;
 *                              per project: its agency, for the passes below
 *   amendments               → per project: the change in value
 *   criteria                 → per evaluation: the total
 *   final evaluations        → per project: the latest, hence its total
 *
 * On the demo store of 20,000 projects (2,000 organizations) this takes
 * ~55 ms once the database is in the page cache. */
static const char organizations_sql[] =
  "SELECT id, name, uscc, kind, address, contact_person, contact_phone "
  "FROM organization WHERE deleted = 0";

static const char projects_sql[] =
  "SELECT id, agency_id, buyer_id, status, value "
  "FROM project NOT INDEXED WHERE deleted = 0";

static const char amendments_sql[] =
  "SELECT project_id, sum(value_delta) FROM amendment WHERE deleted = 0 GROUP BY project_id";

/* sum() is NULL when no indicator has a score: such an evaluation has no
 * total (as in the ledger). */
static const char totals_sql[] =
  "SELECT evaluation_id, sum(score) FROM criterion WHERE deleted = 0 "
  "GROUP BY evaluation_id";

static const char final_evaluations_sql[] =
  "SELECT project_id, date, id FROM evaluation WHERE deleted = 0 AND status = 'final'";

/* What the passes know of one live project. Kept in one array, the
 * strings in one chunk: the passes see 20,000 projects and 25,000
 * evaluations, and allocating each of them cost more than the SQL. */
typedef struct
{
  ProcuraOrganizationRow *agency;       /* may be NULL */
  gboolean                cancelled;
  const char             *latest_date;  /* of the latest final evaluation, in strings */
  const char             *latest_id;
  gint64                  latest_total; /* -1: none or unscored */
} ProjectFacts;

static char *
dup_column (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* Steps stmt to its end, handing each row to func; FALSE with error on a
 * database failure. */
typedef void (*RowFunc) (sqlite3_stmt *stmt,
                         gpointer      user_data);

static gboolean
step_all (ProcuraStore  *store,
          const char    *sql,
          RowFunc        func,
          gpointer       user_data,
          GError       **error)
{
  sqlite3_stmt *stmt = _procura_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (stmt, user_data);

  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("listing organizations"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);

  return TRUE;
}

typedef struct
{
  GPtrArray    *rows;
  GHashTable   *orgs;      /* id → ProcuraOrganizationRow (in rows) */
  GHashTable   *projects;  /* id (in strings) → index + 1 in facts */
  GArray       *facts;     /* ProjectFacts */
  GHashTable   *totals;    /* evaluation id (in strings) → total + 1 */
  GStringChunk *strings;
} OrgQuery;

static ProjectFacts *
lookup_project (OrgQuery      *q,
                sqlite3_stmt  *stmt)
{
  guint index = GPOINTER_TO_UINT (g_hash_table_lookup (q->projects, sqlite3_column_text (stmt, 0)));

  return index > 0 ? &g_array_index (q->facts, ProjectFacts, index - 1) : NULL;
}

static void
read_organization (sqlite3_stmt *stmt,
                   gpointer      user_data)
{
  OrgQuery *q = user_data;
  ProcuraOrganizationRow *row = g_new0 (ProcuraOrganizationRow, 1);

  row->id = dup_column (stmt, 0);
  row->name = dup_column (stmt, 1);
  row->uscc = dup_column (stmt, 2);
  row->kind = dup_column (stmt, 3);
  row->address = dup_column (stmt, 4);
  row->contact_person = dup_column (stmt, 5);
  row->contact_phone = dup_column (stmt, 6);
  row->average_score = -1;

  g_ptr_array_add (q->rows, row);
  g_hash_table_insert (q->orgs, row->id, row);
}

static void
read_project (sqlite3_stmt *stmt,
              gpointer      user_data)
{
  OrgQuery *q = user_data;
  ProjectFacts facts = { NULL, FALSE, NULL, NULL, -1 };
  const char *agency_id = (const char *) sqlite3_column_text (stmt, 1);
  const char *buyer_id = (const char *) sqlite3_column_text (stmt, 2);
  const char *status = (const char *) sqlite3_column_text (stmt, 3);
  ProcuraOrganizationRow *buyer;

  facts.cancelled = g_strcmp0 (status, "cancelled") == 0;

  if (agency_id != NULL && (facts.agency = g_hash_table_lookup (q->orgs, agency_id)) != NULL)
    {
      facts.agency->n_projects++;
      if (g_strcmp0 (status, "active") == 0)
        facts.agency->n_active++;
      if (!facts.cancelled)
        facts.agency->total_value += sqlite3_column_int64 (stmt, 4);
    }

  if (buyer_id != NULL && (buyer = g_hash_table_lookup (q->orgs, buyer_id)) != NULL)
    buyer->n_purchased++;

  /* only the agencies' projects matter from here on */
  if (facts.agency == NULL)
    return;

  g_array_append_val (q->facts, facts);
  g_hash_table_insert (q->projects,
                       g_string_chunk_insert (q->strings, (const char *) sqlite3_column_text (stmt, 0)),
                       GUINT_TO_POINTER (q->facts->len));
}

static void
read_amendment (sqlite3_stmt *stmt,
                gpointer      user_data)
{
  ProjectFacts *facts = lookup_project (user_data, stmt);

  if (facts != NULL && !facts->cancelled)
    facts->agency->total_value += sqlite3_column_int64 (stmt, 1);
}

static void
read_total (sqlite3_stmt *stmt,
            gpointer      user_data)
{
  OrgQuery *q = user_data;
  gint64 total;

  if (sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    return;

  /* totals are hundredths of at most 100 points: they fit a pointer */
  total = CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXINT32 - 1);
  g_hash_table_insert (q->totals,
                       g_string_chunk_insert (q->strings, (const char *) sqlite3_column_text (stmt, 0)),
                       GINT_TO_POINTER ((int) total + 1));
}

/* Keeps, per project, the final evaluation with the greatest date || id:
 * the ledger's rule for the latest one (dates have a fixed width, so
 * comparing the date, then the id is the same). */
static void
read_final_evaluation (sqlite3_stmt *stmt,
                       gpointer      user_data)
{
  OrgQuery *q = user_data;
  ProjectFacts *facts = lookup_project (q, stmt);
  const char *date = (const char *) sqlite3_column_text (stmt, 1);
  const char *id = (const char *) sqlite3_column_text (stmt, 2);
  int cmp;

  if (facts == NULL)
    return;

  if (date == NULL)
    date = "";

  if (facts->latest_id != NULL &&
      ((cmp = strcmp (date, facts->latest_date)) < 0 ||
       (cmp == 0 && strcmp (id, facts->latest_id) <= 0)))
    return;

  facts->latest_total = GPOINTER_TO_INT (g_hash_table_lookup (q->totals, id)) - 1;
  facts->latest_date = g_string_chunk_insert_const (q->strings, date);
  facts->latest_id = g_string_chunk_insert (q->strings, id);
}

typedef struct
{
  char                   *key;
  ProcuraOrganizationRow *row;
} SortEntry;

static int
compare_sort_entries (gconstpointer a,
                      gconstpointer b)
{
  const SortEntry *x = a;
  const SortEntry *y = b;
  int cmp = strcmp (x->key, y->key);

  return cmp != 0 ? cmp : strcmp (x->row->id, y->row->id);
}

/* Orders rows by name in the locale's collation (pinyin under zh_CN). */
static void
sort_by_name (GPtrArray *rows)
{
  g_autofree SortEntry *entries = g_new (SortEntry, MAX (rows->len, 1));

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraOrganizationRow *row = g_ptr_array_index (rows, i);

      entries[i].key = g_utf8_collate_key (row->name != NULL ? row->name : "", -1);
      entries[i].row = row;
    }

  qsort (entries, rows->len, sizeof *entries, compare_sort_entries);

  for (guint i = 0; i < rows->len; i++)
    {
      rows->pdata[i] = entries[i].row;
      g_free (entries[i].key);
    }
}

GPtrArray *
procura_store_query_organizations (ProcuraStore  *store,
                                   const char    *search_or_null,
                                   GError       **error)
{
  /* freed last: the keys of projects and totals live in it */
  g_autoptr(GStringChunk) strings = g_string_chunk_new (64 * 1024);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_organization_row_free);
  g_autoptr(GHashTable) orgs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) projects = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) totals = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) facts = g_array_new (FALSE, FALSE, sizeof (ProjectFacts));
  g_autoptr(ProcuraGradeScheme) scheme = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_auto(GStrv) terms = NULL;
  OrgQuery q = { rows, orgs, projects, facts, totals, strings };
  g_autofree gint64 *sums = NULL;
  gboolean ok;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ok = step_all (store, organizations_sql, read_organization, &q, error) &&
       step_all (store, projects_sql, read_project, &q, error) &&
       step_all (store, amendments_sql, read_amendment, &q, error) &&
       step_all (store, totals_sql, read_total, &q, error) &&
       step_all (store, final_evaluations_sql, read_final_evaluation, &q, error);

  if (!ok)
    return NULL;

  /* Averages: the sum of the latest totals per agency in sums, at the
   * row's index (which average_score holds meanwhile), the count in
   * n_graded; then rounded half up (totals are never negative). */
  sums = g_new0 (gint64, MAX (rows->len, 1));
  for (guint i = 0; i < rows->len; i++)
    ((ProcuraOrganizationRow *) g_ptr_array_index (rows, i))->average_score = i;

  for (guint i = 0; i < facts->len; i++)
    {
      ProjectFacts *f = &g_array_index (facts, ProjectFacts, i);

      if (f->latest_total < 0)
        continue;

      sums[f->agency->average_score] += f->latest_total;
      f->agency->n_graded++;
    }

  scheme = procura_grade_scheme_parse (PROCURA_GRADE_SCHEME_DEFAULT, NULL);
  terms = procura_organization_search_terms (search_or_null);
  shown = g_ptr_array_new_full (rows->len, (GDestroyNotify) procura_organization_row_free);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraOrganizationRow *row = g_ptr_array_index (rows, i);

      row->average_score = -1;
      if (row->n_graded > 0)
        {
          row->average_score = (sums[i] + row->n_graded / 2) / row->n_graded;
          row->average_grade = g_strdup (procura_grade_scheme_grade (scheme, row->average_score));
        }

      row->search_key = build_search_key (row);

      if (procura_organization_row_matches (row, (const char * const *) terms))
        g_ptr_array_add (shown, row);
      else
        procura_organization_row_free (row);
    }
  g_ptr_array_set_free_func (rows, NULL);

  sort_by_name (shown);

  return g_steal_pointer (&shown);
}

/* ---- one organization's projects ------------------------------------- */

/* The ledger's figures of each project, read per project through the
 * indexes on project_id: an agency has tens of projects, the ledger
 * 20,000. Keep these rules those of procura-store-query.c. */
static const char organization_projects_sql[] =
  "SELECT p.id, p.code, p.title, p.agency_id, o.name, p.street, p.community, "
  "       p.category, p.status, p.start_date, p.end_date, p.value, p.budget_year, "
  "       p.grade_scheme_id, "
  "       (SELECT sum(value_delta) FROM amendment a "
  "        WHERE a.project_id = p.id AND a.deleted = 0), "
  "       (SELECT sum(paid_amount) FROM payment y "
  "        WHERE y.project_id = p.id AND y.deleted = 0 AND y.status = 'paid'), "
  "       (SELECT count(*) FROM milestone m WHERE m.project_id = p.id AND m.deleted = 0), "
  "       (SELECT count(*) FROM milestone m "
  "        WHERE m.project_id = p.id AND m.deleted = 0 AND m.status = 'accepted'), "
  "       (SELECT min(due_date) FROM milestone m "
  "        WHERE m.project_id = p.id AND m.deleted = 0 AND m.status <> 'accepted'), "
  "       (SELECT count(*) FROM milestone m "
  "        WHERE m.project_id = p.id AND m.deleted = 0 AND m.status <> 'accepted' "
  "          AND m.due_date < ?2), "
  "       (SELECT (SELECT sum(c.score) FROM criterion c "
  "                WHERE c.evaluation_id = e.id AND c.deleted = 0) "
  "        FROM evaluation e "
  "        WHERE e.project_id = p.id AND e.deleted = 0 AND e.status = 'final' "
  "        ORDER BY e.date || e.id DESC LIMIT 1) "
  "FROM project p LEFT JOIN organization o ON o.id = p.agency_id "
  "WHERE p.agency_id = ?1 AND p.deleted = 0 "
  "ORDER BY p.code, p.id";

GPtrArray *
procura_store_query_organization_projects (ProcuraStore  *store,
                                           const char    *organization_id,
                                           GError       **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_ledger_row_free);
  g_autoptr(GHashTable) schemes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) procura_grade_scheme_free);
  g_autofree char *today = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (organization_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(stmt = _procura_store_prepare (store, organization_projects_sql, error)))
    return NULL;

  today = procura_store_dup_today (store);
  sqlite3_bind_text (stmt, 1, organization_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, today, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraLedgerRow *row = g_new0 (ProcuraLedgerRow, 1);
      const char *scheme_id = (const char *) sqlite3_column_text (stmt, 13);

      row->id = dup_column (stmt, 0);
      row->code = dup_column (stmt, 1);
      row->title = dup_column (stmt, 2);
      row->agency_id = dup_column (stmt, 3);
      row->agency_name = dup_column (stmt, 4);
      row->street = dup_column (stmt, 5);
      row->community = dup_column (stmt, 6);
      row->category = dup_column (stmt, 7);
      row->status = dup_column (stmt, 8);
      row->start_date = dup_column (stmt, 9);
      row->end_date = dup_column (stmt, 10);
      row->value = sqlite3_column_int64 (stmt, 11);
      row->budget_year = sqlite3_column_int (stmt, 12);
      row->amended_value = row->value + sqlite3_column_int64 (stmt, 14);
      row->paid = sqlite3_column_int64 (stmt, 15);
      row->n_milestones = sqlite3_column_int (stmt, 16);
      row->n_accepted = sqlite3_column_int (stmt, 17);

      /* a closed project has nothing left due */
      if (!procura_workflow_is_final (PROCURA_ENTITY_PROJECT, row->status))
        {
          row->next_due = dup_column (stmt, 18);
          row->n_overdue = sqlite3_column_int (stmt, 19);
        }

      if (sqlite3_column_type (stmt, 20) != SQLITE_NULL)
        {
          row->latest_score = sqlite3_column_int64 (stmt, 20);
          row->latest_grade = g_strdup (_procura_store_grade_for (store, schemes, scheme_id, row->latest_score));
        }
      else
        {
          row->latest_score = -1;
        }

      g_ptr_array_add (rows, row);
    }

  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("listing projects"));
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&rows);
}
