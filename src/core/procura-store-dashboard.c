/* procura-store-dashboard.c — the read model of the 工作台 (dashboard)
 *
 * The dashboard is read on every start and after every change, so it is
 * a few narrow queries — each project once, per-project sums from the
 * covering indexes of payments and amendments, the milestones of open
 * projects through milestone_project, the lists LIMITed with a window
 * count — merged here, rather than one big join. At 20,000 projects
 * (demo data) the whole read takes about 100 ms with a warm cache; a third
 * of it is the scan of the report table, which has no index on its state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-dashboard-query.h"
#include "procura-date.h"
#include "procura-schema.h"
#include "procura-store-private.h"

/* The closed statuses of a project — the final states of its workflow
 * (procura-workflow.c; test-dashboard checks that they agree) — are
 * spelled out in the SQL so that SQLite can skip closed projects before
 * touching their milestones. */
#define OPEN_PROJECT "p.deleted = 0 AND p.status NOT IN ('completed', 'terminated', 'cancelled')"

/* Every live project once, then the per-project sums of amendments and
 * payments from their covering indexes, merged in a hash table by
 * project id: a quarter of the time of one query with correlated
 * subqueries. */
static const char projects_sql[] =
  "SELECT id, status, street, value FROM project NOT INDEXED WHERE deleted = 0";

static const char amendments_sql[] =
  "SELECT project_id, sum(value_delta) FROM amendment WHERE deleted = 0 GROUP BY project_id";

static const char paid_sql[] =
  "SELECT project_id, sum(paid_amount) FROM payment "
  "WHERE deleted = 0 AND status = 'paid' GROUP BY project_id";

/* Milestones of open projects per status, the overdue ones apart. */
static const char milestone_counts_sql[] =
  "SELECT CASE WHEN m.status <> 'accepted' AND m.due_date < ?1 THEN 'overdue' "
  "            ELSE m.status END, count(*) "
  "FROM project p NOT INDEXED CROSS JOIN milestone m INDEXED BY milestone_project "
  "  ON m.project_id = p.id AND m.deleted = 0 "
  "WHERE " OPEN_PROJECT " GROUP BY 1";

/* Milestones of open projects not accepted and due by ?1: the overdue ones
 * and those due soon, split into the lists here. */
static const char milestones_due_sql[] =
  "SELECT m.id, m.title, m.due_date, p.id, p.code, p.title "
  "FROM milestone m INDEXED BY milestone_project CROSS JOIN project p ON p.id = m.project_id "
  "WHERE m.deleted = 0 AND m.status <> 'accepted' "
  "  AND m.due_date <= ?1 AND " OPEN_PROJECT " "
  "ORDER BY m.due_date, p.code, m.id";

static const char reports_sql[] =
  "SELECT r.id, r.title, r.submitted_at, m.title, 0, p.id, p.code, p.title, "
  "       count(*) OVER () "
  "FROM report r JOIN project p ON p.id = r.project_id AND p.deleted = 0 "
  "LEFT JOIN milestone m ON m.id = r.milestone_id "
  "WHERE r.deleted = 0 AND r.state = 'submitted' "
  "ORDER BY r.submitted_at, p.code, r.id LIMIT ?1";

static const char payable_sql[] =
  "SELECT y.id, y.title, y.planned_date, m.title, y.planned_amount, p.id, p.code, p.title, "
  "       count(*) OVER () "
  "FROM payment y JOIN project p ON p.id = y.project_id AND p.deleted = 0 "
  "LEFT JOIN milestone m ON m.id = y.milestone_id "
  "WHERE y.deleted = 0 AND y.status = 'payable' "
  "ORDER BY y.planned_date IS NULL, y.planned_date, p.code, y.id LIMIT ?1";

static const char * const list_names[PROCURA_DASHBOARD_N_LISTS] = {
  "overdue",
  "due-week",
  "due-later",
  "review",
  "payable",
};

/* The bars of the milestone chart, in this order. */
static const char * const milestone_bars[] = {
  "planned",
  "submitted",
  "accepted",
  "returned",
  "overdue",
};

/* ---- freeing --------------------------------------------------------- */

void
procura_dashboard_item_free (ProcuraDashboardItem *item)
{
  if (item == NULL)
    return;

  g_free (item->id);
  g_free (item->title);
  g_free (item->date);
  g_free (item->detail);
  g_free (item->project_id);
  g_free (item->project_code);
  g_free (item->project_title);
  g_free (item);
}

void
procura_dashboard_street_free (ProcuraDashboardStreet *street)
{
  if (street == NULL)
    return;

  g_free (street->street);
  g_free (street->label);
  g_free (street);
}

void
procura_dashboard_data_free (ProcuraDashboardData *data)
{
  if (data == NULL)
    return;

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    g_clear_pointer (&data->lists[i].items, g_ptr_array_unref);
  g_clear_pointer (&data->project_statuses, g_array_unref);
  g_clear_pointer (&data->milestone_statuses, g_array_unref);
  g_clear_pointer (&data->streets, g_ptr_array_unref);
  g_free (data->as_of);
  g_free (data->week_end);
  g_free (data->lead_end);
  g_free (data);
}

/* ---- accessors ------------------------------------------------------- */

const ProcuraDashboardList *
procura_dashboard_data_get_list (const ProcuraDashboardData *data,
                                 ProcuraDashboardListKind    kind)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (kind < PROCURA_DASHBOARD_N_LISTS, NULL);

  return &data->lists[kind];
}

static guint
count_of (GArray     *counts,
          const char *code)
{
  if (counts == NULL || code == NULL)
    return 0;

  for (guint i = 0; i < counts->len; i++)
    {
      const ProcuraDashboardCount *c = &g_array_index (counts, ProcuraDashboardCount, i);

      if (strcmp (c->code, code) == 0)
        return c->count;
    }

  return 0;
}

static ProcuraDashboardCount *
lookup_count (GArray     *counts,
              const char *code)
{
  for (guint i = 0; i < counts->len; i++)
    {
      ProcuraDashboardCount *c = &g_array_index (counts, ProcuraDashboardCount, i);

      if (code != NULL && strcmp (c->code, code) == 0)
        return c;
    }

  return NULL;
}

guint
procura_dashboard_data_count_projects (const ProcuraDashboardData *data,
                                       const char                 *status)
{
  g_return_val_if_fail (data != NULL, 0);

  return count_of (data->project_statuses, status);
}

guint
procura_dashboard_data_count_milestones (const ProcuraDashboardData *data,
                                         const char                 *code)
{
  g_return_val_if_fail (data != NULL, 0);

  return count_of (data->milestone_statuses, code);
}

const char *
procura_dashboard_list_kind_to_string (ProcuraDashboardListKind kind)
{
  g_return_val_if_fail (kind < PROCURA_DASHBOARD_N_LISTS, NULL);

  return list_names[kind];
}

gboolean
procura_dashboard_list_kind_from_string (const char               *name,
                                         ProcuraDashboardListKind *out_kind)
{
  for (guint i = 0; name != NULL && i < PROCURA_DASHBOARD_N_LISTS; i++)
    {
      if (strcmp (name, list_names[i]) == 0)
        {
          if (out_kind != NULL)
            *out_kind = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* ---- queries --------------------------------------------------------- */

static char *
dup_column (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

/* Resets stmt once stepped through; FALSE with error set when its last
 * step (rc) failed. */
static gboolean
finish_stmt (ProcuraStore  *store,
             sqlite3_stmt  *stmt,
             int            rc,
             GError       **error)
{
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the dashboard"));
      return FALSE;
    }

  return TRUE;
}

static ProcuraDashboardStreet *
street_lookup (ProcuraDashboardData *data,
               GHashTable           *by_street,
               const char           *street)
{
  const char *key = street != NULL ? street : "";
  ProcuraDashboardStreet *s = g_hash_table_lookup (by_street, key);

  if (s == NULL)
    {
      s = g_new0 (ProcuraDashboardStreet, 1);
      s->street = g_strdup (street);
      /* Translators: the place of projects that serve the whole district
       * rather than one 街道 (street or town), in the dashboard chart */
      s->label = g_strdup (street != NULL ? street : _("District-wide"));
      g_ptr_array_add (data->streets, s);
      g_hash_table_insert (by_street, s->street != NULL ? s->street : (char *) "", s);
    }

  return s;
}

static const char *
column_street (sqlite3_stmt *stmt,
               int           col)
{
  const char *street = (const char *) sqlite3_column_text (stmt, col);

  return street != NULL && street[0] != '\0' ? street : NULL;
}

/* Counts the projects per status; the contract value of those in
 * progress or completed goes to their street, and by_project maps their
 * ids to it. */
static gboolean
query_projects (ProcuraStore          *store,
                ProcuraDashboardData  *data,
                GHashTable            *by_street,
                GHashTable            *by_project,
                GError               **error)
{
  const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status");
  sqlite3_stmt *stmt;
  int rc;

  for (const ProcuraEnumValue *v = field->enum_values; v->code != NULL; v++)
    {
      ProcuraDashboardCount c = { v->code, procura_enum_get_label (v), 0 };

      g_array_append_val (data->project_statuses, c);
    }

  if (!(stmt = _procura_store_prepare (store, projects_sql, error)))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraDashboardCount *c = lookup_count (data->project_statuses,
                                               (const char *) sqlite3_column_text (stmt, 1));

      data->n_projects++;
      if (c == NULL)
        continue;
      c->count++;

      if (strcmp (c->code, "active") == 0 || strcmp (c->code, "completed") == 0)
        {
          ProcuraDashboardStreet *s = street_lookup (data, by_street, column_street (stmt, 2));
          gint64 value = sqlite3_column_int64 (stmt, 3);

          s->n_projects++;
          s->value += value;
          data->value += value;
          g_hash_table_insert (by_project, dup_column (stmt, 0), s);
        }
    }

  data->n_active = count_of (data->project_statuses, "active");

  return finish_stmt (store, stmt, rc, error);
}

/* Adds each project's sum (column 1 of sql) to the value (to_paid FALSE)
 * or the paid total (TRUE) of its street. */
static gboolean
query_project_sums (ProcuraStore          *store,
                    ProcuraDashboardData  *data,
                    GHashTable            *by_project,
                    const char            *sql,
                    gboolean               to_paid,
                    GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _procura_store_prepare (store, sql, error)))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraDashboardStreet *s = g_hash_table_lookup (by_project, sqlite3_column_text (stmt, 0));
      gint64 sum = sqlite3_column_int64 (stmt, 1);

      if (s == NULL)
        continue;

      if (to_paid)
        {
          s->paid += sum;
          data->paid += sum;
        }
      else
        {
          s->value += sum;
          data->value += sum;
        }
    }

  return finish_stmt (store, stmt, rc, error);
}

static gboolean
query_milestone_counts (ProcuraStore          *store,
                        ProcuraDashboardData  *data,
                        GError               **error)
{
  const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_MILESTONE, "status");
  sqlite3_stmt *stmt;
  int rc;

  for (guint i = 0; i < G_N_ELEMENTS (milestone_bars); i++)
    {
      ProcuraDashboardCount c = { milestone_bars[i], NULL, 0 };

      if (strcmp (milestone_bars[i], "overdue") == 0)
        /* Translators: a bar of the dashboard's milestone chart */
        c.label = _("Overdue");
      else
        c.label = procura_field_enum_label (field, milestone_bars[i]);
      g_array_append_val (data->milestone_statuses, c);
    }

  if (!(stmt = _procura_store_prepare (store, milestone_counts_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, data->as_of, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraDashboardCount *c = lookup_count (data->milestone_statuses,
                                               (const char *) sqlite3_column_text (stmt, 0));

      if (c != NULL)
        c->count += sqlite3_column_int (stmt, 1);
    }

  return finish_stmt (store, stmt, rc, error);
}

static gboolean
query_milestones_due (ProcuraStore          *store,
                      ProcuraDashboardData  *data,
                      GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _procura_store_prepare (store, milestones_due_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, data->lead_end, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *due = (const char *) sqlite3_column_text (stmt, 2);
      ProcuraDashboardListKind kind;
      ProcuraDashboardItem *item;

      if (due == NULL)
        continue;
      if (strcmp (due, data->as_of) < 0)
        kind = PROCURA_DASHBOARD_LIST_OVERDUE;
      else if (strcmp (due, data->week_end) <= 0)
        kind = PROCURA_DASHBOARD_LIST_DUE_WEEK;
      else
        kind = PROCURA_DASHBOARD_LIST_DUE_LATER;

      /* past the limit only the count is kept */
      data->lists[kind].total++;
      if (data->lists[kind].items->len >= PROCURA_DASHBOARD_LIST_LIMIT)
        continue;

      item = g_new0 (ProcuraDashboardItem, 1);
      item->id = dup_column (stmt, 0);
      item->title = dup_column (stmt, 1);
      item->date = g_strdup (due);
      item->project_id = dup_column (stmt, 3);
      item->project_code = dup_column (stmt, 4);
      item->project_title = dup_column (stmt, 5);
      g_ptr_array_add (data->lists[kind].items, item);
    }

  return finish_stmt (store, stmt, rc, error);
}

/* Reports and payments: columns id, title, date, detail, amount, project
 * id, code, title, total. */
static gboolean
query_limited_list (ProcuraStore          *store,
                    const char            *sql,
                    ProcuraDashboardList  *list,
                    GError               **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _procura_store_prepare (store, sql, error)))
    return FALSE;
  sqlite3_bind_int (stmt, 1, PROCURA_DASHBOARD_LIST_LIMIT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraDashboardItem *item = g_new0 (ProcuraDashboardItem, 1);

      item->id = dup_column (stmt, 0);
      item->title = dup_column (stmt, 1);
      item->date = dup_column (stmt, 2);
      item->detail = dup_column (stmt, 3);
      item->amount = sqlite3_column_int64 (stmt, 4);
      item->project_id = dup_column (stmt, 5);
      item->project_code = dup_column (stmt, 6);
      item->project_title = dup_column (stmt, 7);
      list->total = sqlite3_column_int (stmt, 8);
      g_ptr_array_add (list->items, item);
    }

  return finish_stmt (store, stmt, rc, error);
}

/* Largest value first; equal values by label, so the order is stable. */
static int
compare_streets (gconstpointer a,
                 gconstpointer b)
{
  const ProcuraDashboardStreet *x = *(ProcuraDashboardStreet * const *) a;
  const ProcuraDashboardStreet *y = *(ProcuraDashboardStreet * const *) b;

  if (x->value != y->value)
    return x->value > y->value ? -1 : 1;
  /* the district-wide group after the streets of the same value */
  if ((x->street == NULL) != (y->street == NULL))
    return x->street == NULL ? 1 : -1;

  return g_strcmp0 (x->label, y->label);
}

ProcuraDashboardData *
procura_store_query_dashboard (ProcuraStore  *store,
                               const char    *as_of,
                               guint          lead_days,
                               GError       **error)
{
  g_autoptr(ProcuraDashboardData) data = NULL;
  g_autoptr(GHashTable) by_street = NULL;
  g_autoptr(GHashTable) by_project = NULL;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (lead_days == 0)
    lead_days = PROCURA_DASHBOARD_DEFAULT_LEAD_DAYS;

  data = g_new0 (ProcuraDashboardData, 1);
  data->as_of = as_of != NULL ? g_strdup (as_of) : procura_store_dup_today (store);
  if (!procura_date_validate (data->as_of, NULL, error))
    return NULL;
  data->week_end = procura_date_add_days (data->as_of, MIN (lead_days, PROCURA_DASHBOARD_WEEK_DAYS));
  data->lead_end = procura_date_add_days (data->as_of, lead_days);

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    data->lists[i].items = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_dashboard_item_free);
  data->project_statuses = g_array_new (FALSE, TRUE, sizeof (ProcuraDashboardCount));
  data->milestone_statuses = g_array_new (FALSE, TRUE, sizeof (ProcuraDashboardCount));
  data->streets = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_dashboard_street_free);
  by_street = g_hash_table_new (g_str_hash, g_str_equal);
  by_project = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!query_projects (store, data, by_street, by_project, error) ||
      !query_project_sums (store, data, by_project, amendments_sql, FALSE, error) ||
      !query_project_sums (store, data, by_project, paid_sql, TRUE, error) ||
      !query_milestone_counts (store, data, error) ||
      !query_milestones_due (store, data, error) ||
      !query_limited_list (store, reports_sql, &data->lists[PROCURA_DASHBOARD_LIST_REVIEW], error) ||
      !query_limited_list (store, payable_sql, &data->lists[PROCURA_DASHBOARD_LIST_PAYABLE], error))
    return NULL;

  data->balance = data->value - data->paid;
  g_ptr_array_sort (data->streets, compare_streets);

  return g_steal_pointer (&data);
}
