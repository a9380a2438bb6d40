/* procura-ocds-record.c — projects and their history as an OCDS 1.1.5
 * record package
 *
 * The store keeps no old versions of records, but its history does: one
 * change row per write and one history row per changed field with the
 * new value as canonical text. Replaying a project's changes (and those of
 * the organizations it names) in change order rebuilds the project bundle
 * as it stood after each write; each state goes through the release
 * package's own builder, so a record's releases and the release package
 * never map a field differently.
 *
 * The versioned release follows the OCDS merging rules: id, date and tag
 * are metadata (omitWhenMerged), an array of objects with ids is merged
 * object by object, anything else is a value whose changes are listed
 * with the release that made them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-ocds.h"
#include "procura-ocds-private.h"
#include "procura-ocds-record.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-store-private.h"

/* ---- history replay -------------------------------------------------- */

typedef struct
{
  gint64                   change_id;
  const ProcuraEntityInfo *entity;
  char                    *record_id;
  char                    *op;
  char                    *at;
  char                    *actor;
  char                    *device;
  char                    *field;
  char                    *value;   /* NULL: null */
} HistoryRow;

static void
history_row_free (HistoryRow *row)
{
  g_free (row->record_id);
  g_free (row->op);
  g_free (row->at);
  g_free (row->actor);
  g_free (row->device);
  g_free (row->field);
  g_free (row->value);
  g_free (row);
}

static gboolean
read_history (ProcuraStore  *store,
              const char    *sql,
              const char    *id,
              GPtrArray     *rows,
              GError       **error)
{
  sqlite3_stmt *stmt = _procura_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const ProcuraEntityInfo *entity = procura_schema_lookup ((const char *) sqlite3_column_text (stmt, 1));
      HistoryRow *row;

      if (entity == NULL)
        continue;
      row = g_new0 (HistoryRow, 1);
      row->change_id = sqlite3_column_int64 (stmt, 0);
      row->entity = entity;
      row->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->op = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      row->at = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      row->actor = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      row->device = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      row->field = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      row->value = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      g_ptr_array_add (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the history"));
      return FALSE;
    }
  return TRUE;
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const HistoryRow *x = *(HistoryRow * const *) a, *y = *(HistoryRow * const *) b;

  if (x->change_id != y->change_id)
    return x->change_id < y->change_id ? -1 : 1;
  return g_strcmp0 (x->field, y->field);
}

/* The history rows of the project, its children that releases show, and
 * every organization it named as buyer or agency, in change order. */
static GPtrArray *
project_history (ProcuraStore  *store,
                 const char    *project_id,
                 GError       **error)
{
  static const char project_sql[] =
    "SELECT c.id, c.entity, c.record_id, c.op, c.at, c.actor, c.device, h.field, h.new_value "
    "FROM change c JOIN history h ON h.change_id = c.id "
    "WHERE c.project_id = ?1 AND c.entity IN "
    "('project', 'amendment', 'milestone', 'payment', 'attachment', 'indicator', 'indicator_period') "
    "ORDER BY c.id, h.field";
  static const char org_sql[] =
    "SELECT c.id, c.entity, c.record_id, c.op, c.at, c.actor, c.device, h.field, h.new_value "
    "FROM change c JOIN history h ON h.change_id = c.id "
    "WHERE c.record_id = ?1 AND c.entity = 'organization' "
    "ORDER BY c.id, h.field";
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) history_row_free);
  g_autoptr(GHashTable) orgs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_project_rows;
  GHashTableIter iter;
  gpointer org_id;

  if (!read_history (store, project_sql, project_id, rows, error))
    return NULL;
  n_project_rows = rows->len;
  for (guint i = 0; i < n_project_rows; i++)
    {
      HistoryRow *row = g_ptr_array_index (rows, i);

      if (row->value != NULL && strcmp (row->entity->name, "project") == 0 &&
          (strcmp (row->field, "buyer_id") == 0 || strcmp (row->field, "agency_id") == 0))
        g_hash_table_add (orgs, g_strdup (row->value));
    }

  g_hash_table_iter_init (&iter, orgs);
  while (g_hash_table_iter_next (&iter, &org_id, NULL))
    if (!read_history (store, org_sql, org_id, rows, error))
      return NULL;
  if (rows->len > n_project_rows)
    g_ptr_array_sort (rows, compare_rows);

  return g_steal_pointer (&rows);
}

static void
apply_row (GHashTable *records,
           HistoryRow *row)
{
  ProcuraRecord *record = g_hash_table_lookup (records, row->record_id);
  g_autoptr(GVariant) value = NULL;
  int index;

  if (record == NULL)
    {
      record = procura_record_new (row->entity, row->record_id);
      g_hash_table_insert (records, (gpointer) procura_record_get_id (record), record);
    }
  procura_record_set_updated_at (record, row->at);

  if (strcmp (row->op, "delete") == 0)
    {
      procura_record_set_deleted (record, TRUE);
      return;
    }
  if (strcmp (row->op, "insert") == 0)
    procura_record_set_deleted (record, FALSE);

  index = procura_entity_field_index (row->entity, row->field);
  if (index < 0)
    return;
  /* personal data (an organization's contact person, phone, e-mail)
   * never enters a replayed state, whatever the builder reads */
  if (row->entity->fields[index].flags & PROCURA_FIELD_PERSONAL)
    return;
  /* a full reference, which the record takes one of its own to */
  if (row->value != NULL)
    value = procura_field_value_from_text (&row->entity->fields[index], row->value);
  procura_record_set_value (record, index, value);
}

/* The orders of procura_store_list() (natural_order() in
 * procura-store.c), which SQLite applies with NULL first. */
static const char *
payment_order_date (const ProcuraRecord *p)
{
  const char *date = procura_record_get_string (p, "planned_date");

  if (date == NULL)
    date = procura_record_get_string (p, "paid_date");
  return date != NULL ? date : "9999";
}

static int
compare_children (gconstpointer a,
                  gconstpointer b)
{
  const ProcuraRecord *x = *(ProcuraRecord * const *) a, *y = *(ProcuraRecord * const *) b;
  const char *entity = procura_record_get_entity (x)->name;
  int c = 0;

  if (strcmp (entity, "amendment") == 0)
    c = g_strcmp0 (procura_record_get_string (x, "date"), procura_record_get_string (y, "date"));
  else if (strcmp (entity, "milestone") == 0)
    c = g_strcmp0 (procura_record_get_string (x, "due_date"), procura_record_get_string (y, "due_date"));
  else if (strcmp (entity, "payment") == 0)
    {
      c = strcmp (payment_order_date (x), payment_order_date (y));
      if (c == 0)
        c = g_strcmp0 (procura_record_get_string (x, "title"), procura_record_get_string (y, "title"));
    }
  else if (strcmp (entity, "attachment") == 0)
    c = g_strcmp0 (procura_record_get_string (x, "name"), procura_record_get_string (y, "name"));
  else if (strcmp (entity, "indicator") == 0)
    c = g_strcmp0 (procura_record_get_string (x, "title"), procura_record_get_string (y, "title"));
  else if (strcmp (entity, "indicator_period") == 0)
    c = g_strcmp0 (procura_record_get_string (x, "period_start"), procura_record_get_string (y, "period_start"));
  if (c == 0)
    c = strcmp (procura_record_get_id (x), procura_record_get_id (y));
  return c;
}

static ProcuraRecord *
live_org (GHashTable          *records,
          const ProcuraRecord *project,
          const char          *field,
          ProcuraRecord       *current)
{
  const char *id = procura_record_get_string (project, field);
  ProcuraRecord *org;

  if (id == NULL)
    return NULL;
  org = g_hash_table_lookup (records, id);
  if (org != NULL && !procura_record_get_deleted (org))
    return procura_record_ref (org);
  /* an organization without history here (older than it): as it is now */
  if (current != NULL && strcmp (procura_record_get_id (current), id) == 0)
    return procura_record_ref (current);
  return NULL;
}

/* The bundle as replayed so far, or NULL before the project exists.
 * Attachments are those of published, the project's attachments that
 * may be published now: one flagged as holding personal information or
 * deleted since is withdrawn from the whole history, not only from the
 * releases after it. */
static ProcuraProjectBundle *
replayed_bundle (GHashTable           *records,
                 const char           *project_id,
                 ProcuraProjectBundle *current,
                 GHashTable           *published)
{
  ProcuraRecord *project = g_hash_table_lookup (records, project_id);
  ProcuraProjectBundle *bundle;
  GHashTableIter iter;
  gpointer value;

  if (project == NULL || procura_record_get_deleted (project))
    return NULL;

  bundle = g_new0 (ProcuraProjectBundle, 1);
  bundle->project = procura_record_ref (project);
  bundle->agency = live_org (records, project, "agency_id", current->agency);
  bundle->buyer = live_org (records, project, "buyer_id", current->buyer);
  bundle->amendments = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  bundle->milestones = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  bundle->payments = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  bundle->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  bundle->indicators = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  bundle->indicator_periods = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ProcuraRecord *record = value;
      GPtrArray *children;

      if (procura_record_get_deleted (record) || !procura_record_get_entity (record)->project_scoped ||
          g_strcmp0 (procura_record_get_string (record, "project_id"), project_id) != 0)
        continue;
      if (strcmp (procura_record_get_entity (record)->name, "attachment") == 0 &&
          !g_hash_table_contains (published, procura_record_get_id (record)))
        continue;
      children = procura_project_bundle_get_children (bundle, procura_record_get_entity (record));
      if (children != NULL)
        g_ptr_array_add (children, procura_record_ref (record));
    }
  g_ptr_array_sort (bundle->amendments, compare_children);
  g_ptr_array_sort (bundle->milestones, compare_children);
  g_ptr_array_sort (bundle->payments, compare_children);
  g_ptr_array_sort (bundle->attachments, compare_children);
  g_ptr_array_sort (bundle->indicators, compare_children);
  g_ptr_array_sort (bundle->indicator_periods, compare_children);

  return bundle;
}

/* ---- the versioned release ------------------------------------------- */

typedef enum
{
  VNODE_OBJECT,
  VNODE_ARRAY,   /* objects merged by id */
  VNODE_VALUE,   /* versions */
} VNodeKind;

typedef struct _VNode VNode;

typedef struct
{
  guint     release;
  JsonNode *value;   /* NULL: null */
} Version;

struct _VNode
{
  VNodeKind   kind;
  char       *key;       /* member name, or the item's id as text */
  JsonNode   *id;        /* an array item's id as written */
  GPtrArray  *children;  /* VNode*, in first-seen order */
  GHashTable *index;     /* key → VNode* */
  GArray     *versions;  /* Version */
  gboolean    seen;
};

static void
vnode_free (VNode *node)
{
  if (node == NULL)
    return;
  g_free (node->key);
  g_clear_pointer (&node->id, json_node_unref);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_clear_pointer (&node->index, g_hash_table_unref);
  if (node->versions != NULL)
    {
      for (guint i = 0; i < node->versions->len; i++)
        g_clear_pointer (&g_array_index (node->versions, Version, i).value, json_node_unref);
      g_array_unref (node->versions);
    }
  g_free (node);
}

static VNode *
vnode_new (VNodeKind   kind,
           const char *key)
{
  VNode *node = g_new0 (VNode, 1);

  node->kind = kind;
  node->key = g_strdup (key);
  if (kind == VNODE_VALUE)
    node->versions = g_array_new (FALSE, FALSE, sizeof (Version));
  else
    {
      node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) vnode_free);
      node->index = g_hash_table_new (g_str_hash, g_str_equal);
    }
  return node;
}

static VNode *
vnode_child (VNode      *parent,
             VNodeKind   kind,
             const char *key)
{
  VNode *child = g_hash_table_lookup (parent->index, key);

  if (child != NULL && child->kind != kind)
    {
      /* a shape the builder never changes; keep the newer one */
      g_hash_table_remove (parent->index, key);
      g_ptr_array_remove (parent->children, child);
      child = NULL;
    }
  if (child == NULL)
    {
      child = vnode_new (kind, key);
      g_ptr_array_add (parent->children, child);
      g_hash_table_insert (parent->index, child->key, child);
    }
  return child;
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static void
add_version (VNode    *node,
             guint     release,
             JsonNode *value)
{
  Version version = { release, NULL };

  if (node->versions->len > 0)
    {
      Version *last = &g_array_index (node->versions, Version, node->versions->len - 1);

      if (is_null (last->value) ? is_null (value) : (!is_null (value) && json_node_equal (last->value, value)))
        return;
    }
  else if (is_null (value))
    return;

  version.value = is_null (value) ? NULL : json_node_copy (value);
  g_array_append_val (node->versions, version);
}

/* A value no longer there: null from this release on. */
static void
mark_gone (VNode *node,
           guint  release)
{
  if (node->kind == VNODE_VALUE)
    add_version (node, release, NULL);
  else
    for (guint i = 0; i < node->children->len; i++)
      mark_gone (g_ptr_array_index (node->children, i), release);
}

/* The id of an array item as a key, or NULL when it has none. */
static char *
item_key (JsonNode *item)
{
  JsonNode *id;

  if (!JSON_NODE_HOLDS_OBJECT (item))
    return NULL;
  id = json_object_get_member (json_node_get_object (item), "id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id))
    return NULL;
  if (json_node_get_value_type (id) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (id));
  if (json_node_get_value_type (id) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
  return NULL;
}

static VNodeKind
classify (const char *name,
          JsonNode   *node)
{
  /* the schema's wholeListMerge arrays are values even with ids */
  static const char * const whole_lists[] = { "additionalIdentifiers", "additionalClassifications" };

  if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) > 0)
    return VNODE_OBJECT;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      for (guint i = 0; i < G_N_ELEMENTS (whole_lists); i++)
        if (strcmp (name, whole_lists[i]) == 0)
          return VNODE_VALUE;
      if (n == 0)
        return VNODE_VALUE;
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *key = item_key (json_array_get_element (array, i));

          if (key == NULL)
            return VNODE_VALUE;
        }
      return VNODE_ARRAY;
    }
  return VNODE_VALUE;
}

static void merge_object (VNode *vobject, JsonObject *object, guint release, gboolean top, gboolean item);

static void
merge_array (VNode     *varray,
             JsonArray *array,
             guint      release)
{
  for (guint i = 0; i < varray->children->len; i++)
    ((VNode *) g_ptr_array_index (varray->children, i))->seen = FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *key = item_key (element);
      VNode *item = vnode_child (varray, VNODE_OBJECT, key);

      if (item->id == NULL)
        item->id = json_node_copy (json_object_get_member (json_node_get_object (element), "id"));
      item->seen = TRUE;
      merge_object (item, json_node_get_object (element), release, FALSE, TRUE);
    }

  for (guint i = 0; i < varray->children->len; i++)
    {
      VNode *item = g_ptr_array_index (varray->children, i);

      if (!item->seen)
        mark_gone (item, release);
    }
}

static void
merge_object (VNode      *vobject,
              JsonObject *object,
              guint       release,
              gboolean    top,
              gboolean    item)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  for (guint i = 0; i < vobject->children->len; i++)
    ((VNode *) g_ptr_array_index (vobject->children, i))->seen = FALSE;

  /* members in the order the release has them */
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &node))
    {
      VNodeKind kind;
      VNode *child;

      /* release metadata (omitWhenMerged) and the ocid are not versioned;
       * an array item's id is its identity */
      if (top && (strcmp (name, "id") == 0 || strcmp (name, "date") == 0 ||
                  strcmp (name, "tag") == 0 || strcmp (name, "ocid") == 0))
        continue;
      if (item && strcmp (name, "id") == 0)
        continue;

      kind = classify (name, node);
      child = vnode_child (vobject, kind, name);
      child->seen = TRUE;
      switch (kind)
        {
        case VNODE_OBJECT:
          merge_object (child, json_node_get_object (node), release, FALSE, FALSE);
          break;
        case VNODE_ARRAY:
          merge_array (child, json_node_get_array (node), release);
          break;
        case VNODE_VALUE:
          add_version (child, release, node);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  for (guint i = 0; i < vobject->children->len; i++)
    {
      VNode *child = g_ptr_array_index (vobject->children, i);

      if (!child->seen)
        mark_gone (child, release);
    }
}

typedef struct
{
  const char *id;
  const char *date;
  JsonNode   *tag;
} ReleaseMeta;

static void write_vnode (GString *out, VNode *node, GArray *meta, guint depth);

static void
write_versions (GString *out,
                VNode   *node,
                GArray  *meta,
                guint    depth)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < node->versions->len; i++)
    {
      Version *version = &g_array_index (node->versions, Version, i);
      ReleaseMeta *m = &g_array_index (meta, ReleaseMeta, version->release);

      if (i > 0)
        g_string_append_c (out, ',');
      _procura_ocds_indent (out, depth + 1);
      g_string_append_c (out, '{');
      _procura_ocds_indent (out, depth + 2);
      g_string_append (out, "\"releaseID\": ");
      _procura_ocds_write_string (out, m->id);
      g_string_append_c (out, ',');
      _procura_ocds_indent (out, depth + 2);
      g_string_append (out, "\"releaseDate\": ");
      _procura_ocds_write_string (out, m->date);
      g_string_append_c (out, ',');
      _procura_ocds_indent (out, depth + 2);
      g_string_append (out, "\"releaseTag\": ");
      _procura_ocds_write_node (out, m->tag, "releaseTag", depth + 2);
      g_string_append_c (out, ',');
      _procura_ocds_indent (out, depth + 2);
      g_string_append (out, "\"value\": ");
      if (version->value != NULL)
        /* named as the field, so that amounts are written as yuan */
        _procura_ocds_write_node (out, version->value, node->key, depth + 2);
      else
        g_string_append (out, "null");
      _procura_ocds_indent (out, depth + 1);
      g_string_append_c (out, '}');
    }
  if (node->versions->len > 0)
    _procura_ocds_indent (out, depth);
  g_string_append_c (out, ']');
}

static void
write_members (GString *out,
               VNode   *node,
               GArray  *meta,
               guint    depth,
               gboolean first)
{
  for (guint i = 0; i < node->children->len; i++)
    {
      VNode *child = g_ptr_array_index (node->children, i);

      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      _procura_ocds_indent (out, depth + 1);
      _procura_ocds_write_string (out, child->key);
      g_string_append (out, ": ");
      write_vnode (out, child, meta, depth + 1);
    }
}

static void
write_vnode (GString *out,
             VNode   *node,
             GArray  *meta,
             guint    depth)
{
  switch (node->kind)
    {
    case VNODE_VALUE:
      write_versions (out, node, meta, depth);
      break;

    case VNODE_OBJECT:
      g_string_append_c (out, '{');
      if (node->id != NULL)
        {
          _procura_ocds_indent (out, depth + 1);
          g_string_append (out, "\"id\": ");
          _procura_ocds_write_node (out, node->id, "id", depth + 1);
        }
      write_members (out, node, meta, depth, node->id == NULL);
      if (node->id != NULL || node->children->len > 0)
        _procura_ocds_indent (out, depth);
      g_string_append_c (out, '}');
      break;

    case VNODE_ARRAY:
      g_string_append_c (out, '[');
      for (guint i = 0; i < node->children->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          _procura_ocds_indent (out, depth + 1);
          write_vnode (out, g_ptr_array_index (node->children, i), meta, depth + 1);
        }
      if (node->children->len > 0)
        _procura_ocds_indent (out, depth);
      g_string_append_c (out, ']');
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ---- one record ------------------------------------------------------ */

typedef struct
{
  ProcuraStore       *store;
  const char         *prefix;
  const char         *now;
  ProcuraOcdsUsed     used;
  GString            *records;
  guint               n_records;
  ProcuraOcdsChanges *changes;
} RecordState;

/* A release's text without its id and date: two states give the same
 * release when these are equal. */
static char *
release_content (JsonNode *node)
{
  JsonObject *release = json_node_get_object (node);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *id = g_strdup (json_object_get_string_member (release, "id"));
  g_autofree char *date = g_strdup (json_object_get_string_member (release, "date"));

  json_object_set_string_member (release, "id", "");
  json_object_set_string_member (release, "date", "");
  _procura_ocds_write_node (text, node, NULL, 0);
  json_object_set_string_member (release, "id", id);
  json_object_set_string_member (release, "date", date);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static JsonNode *
release_node (RecordState          *state,
              ProcuraProjectBundle *bundle,
              gint64                change_id,
              const char           *change_at)
{
  JsonNode *node = json_node_alloc ();

  json_node_take_object (json_node_init (node, JSON_NODE_OBJECT),
                         _procura_ocds_build_release (state->store, bundle, state->prefix,
                                                      state->now, change_id, change_at, &state->used));
  return node;
}

/* The id of an object in an array says which object it is from release
 * to release (OCDS merges arrays by id). The award's id follows the
 * project number and the contract's the contract number once there is
 * one, so a replayed release takes them from the current release, as it
 * takes the ocid: else the contract of the releases from before its
 * number was entered would be another contract, left without an award
 * in the versioned release. */
static void
pin_member_id (JsonObject *release,
               JsonObject *current,
               const char *array,
               const char *member)
{
  JsonArray *old_items, *current_items;
  JsonObject *old_item, *current_item;

  if (!json_object_has_member (release, array) || !json_object_has_member (current, array))
    return;
  old_items = json_object_get_array_member (release, array);
  current_items = json_object_get_array_member (current, array);
  /* one award and one contract per project: nothing else to pair */
  if (json_array_get_length (old_items) != 1 || json_array_get_length (current_items) != 1)
    return;
  old_item = json_array_get_object_element (old_items, 0);
  current_item = json_array_get_object_element (current_items, 0);
  if (json_object_has_member (old_item, member) && json_object_has_member (current_item, member))
    json_object_set_member (old_item, member, json_node_copy (json_object_get_member (current_item, member)));
}

static void
pin_ids (JsonObject *release,
         JsonObject *current)
{
  pin_member_id (release, current, "awards", "id");
  pin_member_id (release, current, "contracts", "id");
  pin_member_id (release, current, "contracts", "awardID");
}

static gboolean
record_add (ProcuraProjectBundle  *current,
            gpointer               user_data,
            GError               **error)
{
  RecordState *state = user_data;
  const char *project_id = procura_record_get_id (current->project);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) records = NULL;
  g_autoptr(GPtrArray) releases = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(JsonNode) compiled = NULL;
  g_autoptr(GArray) meta = g_array_new (FALSE, FALSE, sizeof (ReleaseMeta));
  g_autofree char *last_content = NULL;
  g_autofree char *ocid = NULL;
  g_autoptr(GHashTable) published = g_hash_table_new (g_str_hash, g_str_equal);
  VNode *versioned;
  GString *out = state->records;
  guint depth = 2;
  gint64 change_id;
  const char *change_at;

  if (!(rows = project_history (state->store, project_id, error)) ||
      !_procura_ocds_changes_last (state->changes, current, &change_id, &change_at, error))
    return FALSE;

  for (guint i = 0; current->attachments != NULL && i < current->attachments->len; i++)
    {
      ProcuraRecord *f = g_ptr_array_index (current->attachments, i);

      if (!procura_record_get_bool (f, "contains_personal_info"))
        g_hash_table_add (published, (gpointer) procura_record_get_id (f));
    }

  /* the current release, named as the release package names it; its
   * ocid is the record's, also for releases from before a change of the
   * project number */
  compiled = release_node (state, current, change_id, change_at);
  ocid = g_strdup (json_object_get_string_member (json_node_get_object (compiled), "ocid"));

  /* replay; a group of changes ends where the time, author or device
   * changes: one save and what the workflow did with it */
  records = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) procura_record_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      HistoryRow *row = g_ptr_array_index (rows, i);
      HistoryRow *next = i + 1 < rows->len ? g_ptr_array_index (rows, i + 1) : NULL;
      g_autoptr(ProcuraProjectBundle) bundle = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *content = NULL;
      g_autofree char *release_id = NULL;
      JsonObject *release;

      apply_row (records, row);
      if (next != NULL && next->change_id == row->change_id)
        continue;
      if (next != NULL && strcmp (next->at, row->at) == 0 &&
          g_strcmp0 (next->actor, row->actor) == 0 && g_strcmp0 (next->device, row->device) == 0)
        continue;

      if (!(bundle = replayed_bundle (records, project_id, current, published)))
        continue;
      node = release_node (state, bundle, 0, NULL);
      json_object_set_string_member (json_node_get_object (node), "ocid", ocid);
      pin_ids (json_node_get_object (node), json_node_get_object (compiled));
      content = release_content (node);
      if (last_content != NULL && strcmp (content, last_content) == 0)
        continue;

      release = json_node_get_object (node);
      release_id = g_strdup_printf ("%s-%" G_GINT64_FORMAT, ocid, row->change_id);
      json_object_set_string_member (release, "id", release_id);
      json_object_set_string_member (release, "date", row->at);
      g_ptr_array_add (releases, g_steal_pointer (&node));
      g_free (last_content);
      last_content = g_steal_pointer (&content);
    }

  /* the current state closes the record, as the release package has it:
   * the same id, date and content, so that the two link up. It takes the
   * place of the last replayed release when that is the same change; it
   * is added when the history does not reach it (a store whose history
   * lacks writes) or when later changes showed nothing new (then it
   * repeats the last release under the newer id). */
  if (releases->len > 0)
    {
      JsonObject *last = json_node_get_object (g_ptr_array_index (releases, releases->len - 1));

      if (strcmp (json_object_get_string_member (last, "id"),
                  json_object_get_string_member (json_node_get_object (compiled), "id")) == 0)
        g_ptr_array_remove_index (releases, releases->len - 1);
    }
  {
    /* its own top-level members (json_node_copy() shares the object):
     * the compiled release's tag is replaced below */
    JsonObject *copy = json_object_new ();
    JsonObjectIter iter;
    const char *name;
    JsonNode *member;

    json_object_iter_init_ordered (&iter, json_node_get_object (compiled));
    while (json_object_iter_next_ordered (&iter, &name, &member))
      json_object_set_member (copy, name, json_node_copy (member));
    g_ptr_array_add (releases, json_node_init_object (json_node_alloc (), copy));
    json_object_unref (copy);
  }

  /* the versioned release */
  versioned = vnode_new (VNODE_OBJECT, NULL);
  for (guint i = 0; i < releases->len; i++)
    {
      JsonObject *release = json_node_get_object (g_ptr_array_index (releases, i));
      ReleaseMeta m = {
        json_object_get_string_member (release, "id"),
        json_object_get_string_member (release, "date"),
        json_object_get_member (release, "tag"),
      };

      g_array_append_val (meta, m);
      merge_object (versioned, release, i, TRUE, FALSE);
    }

  {
    JsonObject *release = json_node_get_object (compiled);
    JsonArray *tag = json_array_new ();

    json_array_add_string_element (tag, "compiled");
    json_object_set_array_member (release, "tag", tag);
  }

  if (state->n_records++ > 0)
    g_string_append_c (out, ',');
  _procura_ocds_indent (out, depth);
  g_string_append_c (out, '{');
  _procura_ocds_indent (out, depth + 1);
  g_string_append (out, "\"ocid\": ");
  _procura_ocds_write_string (out, ocid);
  g_string_append_c (out, ',');
  _procura_ocds_indent (out, depth + 1);
  g_string_append (out, "\"releases\": [");
  for (guint i = 0; i < releases->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _procura_ocds_indent (out, depth + 2);
      _procura_ocds_write_node (out, g_ptr_array_index (releases, i), NULL, depth + 2);
    }
  _procura_ocds_indent (out, depth + 1);
  g_string_append (out, "],");
  _procura_ocds_indent (out, depth + 1);
  g_string_append (out, "\"compiledRelease\": ");
  _procura_ocds_write_node (out, compiled, NULL, depth + 1);
  g_string_append_c (out, ',');
  _procura_ocds_indent (out, depth + 1);
  g_string_append (out, "\"versionedRelease\": {");
  _procura_ocds_indent (out, depth + 2);
  g_string_append (out, "\"ocid\": ");
  _procura_ocds_write_string (out, ocid);
  write_members (out, versioned, meta, depth + 1, FALSE);
  _procura_ocds_indent (out, depth + 1);
  g_string_append_c (out, '}');
  _procura_ocds_indent (out, depth);
  g_string_append_c (out, '}');

  vnode_free (versioned);
  return TRUE;
}

/* ---- the package ----------------------------------------------------- */

static gboolean
record_package (ProcuraStore  *store,
                GPtrArray     *project_ids,
                const char    *prefix,
                const char    *uri,
                GString       *out,
                const char    *path,
                GError       **error)
{
  g_autofree char *now = procura_timestamp_now ();
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GString) records = g_string_sized_new (1 << 16);
  g_autoptr(ProcuraOcdsChanges) changes = NULL;
  RecordState state = { store, prefix, now, { FALSE, FALSE, FALSE }, records, 0, NULL };

  if (state.prefix == NULL)
    state.prefix = PROCURA_OCDS_DEFAULT_PREFIX;
  if (!procura_ocds_check_prefix (state.prefix, error))
    return FALSE;
  if (!(changes = _procura_ocds_changes_new (store, project_ids, error)))
    return FALSE;
  state.changes = changes;

  if (!_procura_ocds_foreach_bundle (store, project_ids, record_add, &state, error))
    return FALSE;

  _procura_ocds_write_package_head (head, uri != NULL ? uri : "urn:procura:record-package", now);
  _procura_ocds_write_extensions (head, &state.used);
  g_string_append_c (head, ',');
  _procura_ocds_indent (head, 1);
  g_string_append (head, "\"records\": [");
  return _procura_ocds_emit (head, records, state.n_records > 0 ? "\n  ]\n}\n" : "]\n}\n",
                             out, path, error);
}

gboolean
procura_ocds_export_record_package (ProcuraStore  *store,
                                    GPtrArray     *project_ids,
                                    const char    *prefix,
                                    const char    *uri,
                                    GString       *out,
                                    GError       **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return record_package (store, project_ids, prefix, uri, out, NULL, error);
}

gboolean
procura_ocds_record_export_to_file (ProcuraStore  *store,
                                    GPtrArray     *project_ids,
                                    const char    *prefix,
                                    const char    *path,
                                    GError       **error)
{
  g_autofree char *uri = NULL;

  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uri = _procura_ocds_uri_for_path (path);
  return record_package (store, project_ids, prefix, uri, NULL, path, error);
}
