/* procura-ocds-preserve.c — what an imported OCDS release said, kept and
 * written back on export
 *
 * Procura models part of OCDS. For a project imported from OCDS the store
 * keeps, beside the project (table ocds_release, local to the store):
 *  - release: the compiled release as imported, every field included;
 *  - baseline: what the exporter made of the project right after the
 *    import, in the exporter's own tree (分 as integers);
 *  - idmap: ids Procura gave the project's records → the release's ids.
 * An export is a three-way merge: release + (export now − baseline). A
 * value the exporter still produces as it did after the import was not
 * changed in Procura, so the imported text stays ("2010-07-01T00:00:00Z"
 * rather than our "+08:00" form of the same day, 11000000 GBP rather than
 * a CNY amount with decimals); a value that differs was edited here and
 * wins; one the baseline had and the export no longer has was deleted
 * here. Comparing with the baseline rather than with the release avoids
 * a second mapping of every field back to OCDS, which could drift from
 * the exporter's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-ocds.h"
#include "procura-ocds-preserve.h"
#include "procura-store-private.h"

/* Set on the store while the importer takes a baseline: the exporter's
 * trees are collected (project id → JsonNode) instead of merged. */
#define CAPTURE_KEY "procura-ocds-preserve-capture"

/* ---- formatting ------------------------------------------------------- */

const char *
procura_ocds_preserve_format_number (char   *buffer,
                                     double  value)
{
  static const char * const formats[] = { "%.15g", "%.16g", "%.17g" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, formats[i], value);
      if (g_ascii_strtod (buffer, NULL) == value)
        break;
    }
  return buffer;
}

/* ---- tree helpers ----------------------------------------------------- */

static gboolean
is_money_name (const char *name)
{
  return g_strcmp0 (name, "amount") == 0 || g_strcmp0 (name, "measure") == 0;
}

/* A deep copy of a kept node: integers the writer would read as 分 or
 * hundredths ("amount", "measure") become doubles, printed as they are. */
static JsonNode *
copy_original (JsonNode   *node,
               const char *name)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *from = json_node_get_object (node);
        JsonObject *to = json_object_new ();
        g_autoptr(GList) members = json_object_get_members (from);
        JsonNode *copy;

        for (GList *l = members; l != NULL; l = l->next)
          json_object_set_member (to, l->data, copy_original (json_object_get_member (from, l->data), l->data));
        copy = json_node_init_object (json_node_alloc (), to);
        json_object_unref (to);
        return copy;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *from = json_node_get_array (node);
        JsonArray *to = json_array_new ();
        JsonNode *copy;

        for (guint i = 0; i < json_array_get_length (from); i++)
          json_array_add_element (to, copy_original (json_array_get_element (from, i), NULL));
        copy = json_node_init_array (json_node_alloc (), to);
        json_array_unref (to);
        return copy;
      }
    case JSON_NODE_VALUE:
      /* json-glib keeps no number's text: an integer was written without
       * a point, so it stays an integer; a decimal amount in whole 分 is
       * taken to have been written with two decimals, as ours are, and
       * goes back to the writer as 分 */
      if (is_money_name (name) && json_node_get_value_type (node) == G_TYPE_INT64)
        return json_node_init_double (json_node_alloc (), (double) json_node_get_int (node));
      if (g_strcmp0 (name, "amount") == 0 && json_node_get_value_type (node) == G_TYPE_DOUBLE)
        {
          double fen = json_node_get_double (node) * 100.0;
          double rounded = fen < 0 ? -floor (-fen + 0.5) : floor (fen + 0.5);

          if (ABS (fen - rounded) <= 1e-6 * MAX (1.0, ABS (fen)) && ABS (rounded) < 9.0e15)
            return json_node_init_int (json_node_alloc (), (gint64) rounded);
        }
      return json_node_copy (node);
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static const char *
object_id (JsonNode *node)
{
  JsonObject *object;
  JsonNode *id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  id = json_object_get_member (object, "id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (id);
}

/* OCDS merges arrays whose items are all objects with an id by id. */
static gboolean
is_identified_array (JsonNode *node)
{
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (object_id (json_array_get_element (array, i)) == NULL)
      return FALSE;
  return TRUE;
}

static JsonNode *
find_by_id (JsonNode   *array_node,
            const char *id)
{
  JsonArray *array;

  if (array_node == NULL || !JSON_NODE_HOLDS_ARRAY (array_node))
    return NULL;
  array = json_node_get_array (array_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (object_id (json_array_get_element (array, i)), id) == 0)
      return json_array_get_element (array, i);
  return NULL;
}

static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  return a != NULL && b != NULL && json_node_equal (a, b);
}

/* A Value ({amount, currency}) changes as a whole: an amount edited in
 * Procura is in CNY whatever the import's currency was. */
static gboolean
is_value_object (JsonNode *node)
{
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  return json_object_has_member (object, "amount") && json_object_has_member (object, "currency");
}

/* Ids Procura gave records, and references to them, as the release
 * called them. */
static void
translate_ids (JsonNode   *node,
               JsonObject *idmap)
{
  if (idmap == NULL)
    return;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *member = json_object_get_member (object, l->data);

          if ((strcmp (l->data, "id") == 0 || strcmp (l->data, "awardID") == 0) &&
              JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING &&
              json_object_has_member (idmap, json_node_get_string (member)))
            json_object_set_string_member (object, l->data,
                                           json_object_get_string_member (idmap, json_node_get_string (member)));
          else
            translate_ids (member, idmap);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        translate_ids (json_array_get_element (array, i), idmap);
    }
}

/* ---- the three-way merge ---------------------------------------------- */

/* o: the kept release's node, b: the baseline's, c: the export's (NULL
 * when absent). Returns the node to write, or NULL to leave it out. */
static JsonNode *
merge3 (JsonNode   *o,
        JsonNode   *b,
        JsonNode   *c,
        const char *name)
{
  if (o == NULL)
    return nodes_equal (b, c) ? NULL : json_node_copy (c);

  if (JSON_NODE_HOLDS_OBJECT (o) && JSON_NODE_HOLDS_OBJECT (c) && !is_value_object (c))
    {
      JsonObject *oo = json_node_get_object (o);
      JsonObject *co = json_node_get_object (c);
      JsonObject *bo = b != NULL && JSON_NODE_HOLDS_OBJECT (b) ? json_node_get_object (b) : NULL;
      JsonObject *result = json_object_new ();
      g_autoptr(GList) o_members = json_object_get_members (oo);
      g_autoptr(GList) c_members = json_object_get_members (co);
      JsonNode *node;

      for (GList *l = o_members; l != NULL; l = l->next)
        {
          JsonNode *om = json_object_get_member (oo, l->data);
          JsonNode *cm = json_object_get_member (co, l->data);
          JsonNode *bm = bo != NULL ? json_object_get_member (bo, l->data) : NULL;

          if (cm != NULL)
            json_object_set_member (result, l->data, merge3 (om, bm, cm, l->data));
          else if (bm == NULL)
            json_object_set_member (result, l->data, copy_original (om, l->data));
          /* else: exported after the import, no longer: deleted here */
        }
      for (GList *l = c_members; l != NULL; l = l->next)
        if (!json_object_has_member (oo, l->data))
          {
            JsonNode *r = merge3 (NULL, bo != NULL ? json_object_get_member (bo, l->data) : NULL,
                                  json_object_get_member (co, l->data), l->data);

            if (r != NULL)
              json_object_set_member (result, l->data, r);
          }

      node = json_node_init_object (json_node_alloc (), result);
      json_object_unref (result);
      return node;
    }

  if (is_identified_array (o) && is_identified_array (c))
    {
      JsonArray *oa = json_node_get_array (o);
      JsonArray *ca = json_node_get_array (c);
      JsonArray *result = json_array_new ();
      JsonNode *node;

      for (guint i = 0; i < json_array_get_length (oa); i++)
        {
          JsonNode *oe = json_array_get_element (oa, i);
          const char *id = object_id (oe);
          JsonNode *ce = find_by_id (c, id);
          JsonNode *be = find_by_id (b, id);

          if (ce != NULL)
            json_array_add_element (result, merge3 (oe, be, ce, NULL));
          else if (be == NULL)
            json_array_add_element (result, copy_original (oe, NULL));
        }
      for (guint i = 0; i < json_array_get_length (ca); i++)
        {
          JsonNode *ce = json_array_get_element (ca, i);
          const char *id = object_id (ce);

          if (find_by_id (o, id) == NULL && !nodes_equal (find_by_id (b, id), ce))
            json_array_add_element (result, json_node_copy (ce));
        }

      node = json_node_init_array (json_node_alloc (), result);
      json_array_unref (result);
      return node;
    }

  return nodes_equal (b, c) ? copy_original (o, name) : json_node_copy (c);
}

/* ---- OCDS merging of releases ------------------------------------------ */

void
procura_ocds_preserve_merge_release (JsonObject *compiled,
                                     JsonObject *release)
{
  g_autoptr(GList) members = json_object_get_members (release);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (release, l->data);
      JsonNode *current = json_object_get_member (compiled, l->data);

      if (JSON_NODE_HOLDS_NULL (value))
        json_object_remove_member (compiled, l->data);
      else if (current != NULL && JSON_NODE_HOLDS_OBJECT (current) && JSON_NODE_HOLDS_OBJECT (value))
        procura_ocds_preserve_merge_release (json_node_get_object (current), json_node_get_object (value));
      else if (is_identified_array (current) && is_identified_array (value))
        {
          JsonArray *into = json_node_get_array (current);
          JsonArray *from = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (from); i++)
            {
              JsonNode *item = json_array_get_element (from, i);
              JsonNode *match = find_by_id (current, object_id (item));

              if (match != NULL)
                procura_ocds_preserve_merge_release (json_node_get_object (match), json_node_get_object (item));
              else
                json_array_add_element (into, json_node_copy (item));
            }
        }
      else
        json_object_set_member (compiled, l->data, json_node_copy (value));
    }
}

/* ---- storage ------------------------------------------------------------ */

static JsonNode *
parse_text (const char  *text,
            const char  *what,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Kept OCDS release (%s): %s"), what, local_error->message);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

gboolean
_procura_ocds_preserve_find (ProcuraStore  *store,
                             const char    *ocid,
                             char         **project_id,
                             GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *project_id = NULL;
  if (!(stmt = _procura_store_prepare (store,
                                       "SELECT r.project_id FROM ocds_release r JOIN project p ON p.id = r.project_id "
                                       "WHERE r.ocid = ? AND p.deleted = 0", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, ocid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *project_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading a kept OCDS release"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* The three texts of a project's row; all NULL when there is none. */
static gboolean
load_row (ProcuraStore  *store,
          const char    *project_id,
          char         **release,
          char         **baseline,
          char         **idmap,
          GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *release = *baseline = *idmap = NULL;
  if (!(stmt = _procura_store_prepare (store,
                                       "SELECT release, baseline, idmap FROM ocds_release WHERE project_id = ?",
                                       error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *release = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      *baseline = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      *idmap = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  else if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading a kept OCDS release"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
_procura_ocds_preserve_load (ProcuraStore  *store,
                             const char    *project_id,
                             JsonNode     **release,
                             JsonObject   **idmap,
                             GError       **error)
{
  g_autofree char *release_text = NULL, *baseline_text = NULL, *idmap_text = NULL;

  *release = NULL;
  *idmap = NULL;
  if (!load_row (store, project_id, &release_text, &baseline_text, &idmap_text, error))
    return FALSE;
  if (release_text == NULL)
    return TRUE;
  if (!(*release = parse_text (release_text, project_id, error)))
    return FALSE;
  if (idmap_text != NULL)
    {
      g_autoptr(JsonNode) node = parse_text (idmap_text, project_id, error);

      if (node == NULL)
        {
          g_clear_pointer (release, json_node_unref);
          return FALSE;
        }
      if (JSON_NODE_HOLDS_OBJECT (node))
        *idmap = json_object_ref (json_node_get_object (node));
    }
  if (*idmap == NULL)
    *idmap = json_object_new ();
  return TRUE;
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

gboolean
_procura_ocds_preserve_save (ProcuraStore  *store,
                             const char    *project_id,
                             const char    *ocid,
                             JsonObject    *release,
                             JsonObject    *idmap,
                             GError       **error)
{
  g_autoptr(GHashTable) capture = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GString) scratch = g_string_new (NULL);
  g_autofree char *release_text = object_to_text (release);
  g_autofree char *idmap_text = object_to_text (idmap);
  g_autofree char *baseline_text = NULL;
  g_autofree char *now = procura_timestamp_now ();
  JsonNode *baseline;
  sqlite3_stmt *stmt;
  gboolean ok;

  /* the baseline: what the exporter makes of the project now */
  g_ptr_array_add (ids, (gpointer) project_id);
  g_object_set_data (G_OBJECT (store), CAPTURE_KEY, capture);
  ok = procura_ocds_export_release_package (store, ids, NULL, NULL, scratch, error);
  g_object_set_data (G_OBJECT (store), CAPTURE_KEY, NULL);
  if (!ok)
    return FALSE;
  if ((baseline = g_hash_table_lookup (capture, project_id)) != NULL)
    baseline_text = json_to_string (baseline, FALSE);

  if (!(stmt = _procura_store_prepare (store,
                                       "INSERT INTO ocds_release (project_id, ocid, release, baseline, idmap, imported_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET "
                                       "ocid = excluded.ocid, release = excluded.release, baseline = excluded.baseline, "
                                       "idmap = excluded.idmap, imported_at = excluded.imported_at", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, project_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, ocid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, release_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, baseline_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, idmap_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("keeping an OCDS release"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* ---- the exporter's hook ----------------------------------------------- */

static gboolean apply (ProcuraStore *store, const char *project_id, JsonObject *release,
                       ProcuraOcdsUsed *used, GError **error);

/* Marks the extensions whose fields a release uses. */
static void
note_extensions (JsonObject      *release,
                 ProcuraOcdsUsed *used)
{
  JsonNode *contracts = json_object_get_member (release, "contracts");

  if (used == NULL || contracts == NULL || !JSON_NODE_HOLDS_ARRAY (contracts))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (contracts)); i++)
    {
      JsonNode *contract = json_array_get_element (json_node_get_array (contracts), i);
      JsonNode *implementation, *transactions;

      if (!JSON_NODE_HOLDS_OBJECT (contract))
        continue;
      if (json_object_has_member (json_node_get_object (contract), "agreedMetrics"))
        used->metrics = TRUE;
      implementation = json_object_get_member (json_node_get_object (contract), "implementation");
      if (implementation == NULL || !JSON_NODE_HOLDS_OBJECT (implementation))
        continue;
      if (json_object_has_member (json_node_get_object (implementation), "metrics"))
        used->metrics = TRUE;
      if (json_object_has_member (json_node_get_object (implementation), "finalValue") ||
          json_object_has_member (json_node_get_object (implementation), "endDate"))
        used->completion = TRUE;
      transactions = json_object_get_member (json_node_get_object (implementation), "transactions");
      for (guint j = 0; transactions != NULL && JSON_NODE_HOLDS_ARRAY (transactions) &&
                        j < json_array_get_length (json_node_get_array (transactions)); j++)
        {
          JsonNode *t = json_array_get_element (json_node_get_array (transactions), j);

          if (JSON_NODE_HOLDS_OBJECT (t) &&
              json_object_has_member (json_node_get_object (t), "relatedImplementationMilestone"))
            used->related_milestone = TRUE;
        }
    }
}

gboolean
procura_ocds_preserve_apply (ProcuraStore    *store,
                             const char      *project_id,
                             JsonObject      *release,
                             ProcuraOcdsUsed *used,
                             GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (apply (store, project_id, release, used, &local_error))
    return TRUE;
  /* the exporter goes on with Procura's own release for the project */
  if (error == NULL)
    g_warning ("%s", local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
apply (ProcuraStore    *store,
       const char      *project_id,
       JsonObject      *release,
       ProcuraOcdsUsed *used,
       GError         **error)
{
  GHashTable *capture = g_object_get_data (G_OBJECT (store), CAPTURE_KEY);
  g_autofree char *release_text = NULL, *baseline_text = NULL, *idmap_text = NULL;
  g_autoptr(JsonNode) kept = NULL;
  g_autoptr(JsonNode) baseline = NULL;
  g_autoptr(JsonNode) idmap = NULL;
  g_autoptr(JsonNode) current = NULL;
  g_autoptr(JsonNode) merged = NULL;
  g_autoptr(GList) old_members = NULL;
  g_autoptr(GList) new_members = NULL;
  JsonObject *kept_object, *current_object, *result;
  const char *ocid;

  if (capture != NULL)
    {
      JsonNode *node = json_node_init_object (json_node_alloc (), release);

      g_hash_table_replace (capture, g_strdup (project_id), json_node_copy (node));
      json_node_unref (node);
      return TRUE;
    }

  if (!load_row (store, project_id, &release_text, &baseline_text, &idmap_text, error))
    return FALSE;
  if (release_text == NULL || baseline_text == NULL)
    return TRUE;

  if (!(kept = parse_text (release_text, project_id, error)) ||
      !(baseline = parse_text (baseline_text, project_id, error)) ||
      (idmap_text != NULL && !(idmap = parse_text (idmap_text, project_id, error))))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (kept) || !JSON_NODE_HOLDS_OBJECT (baseline))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Kept OCDS release (%s): not an object"), project_id);
      return FALSE;
    }

  {
    JsonNode *node = json_node_init_object (json_node_alloc (), release);

    current = json_node_copy (node);
    json_node_unref (node);
  }
  if (idmap != NULL && JSON_NODE_HOLDS_OBJECT (idmap))
    {
      translate_ids (current, json_node_get_object (idmap));
      translate_ids (baseline, json_node_get_object (idmap));
    }

  merged = merge3 (kept, baseline, current, NULL);
  result = json_node_get_object (merged);
  kept_object = json_node_get_object (kept);
  current_object = json_node_get_object (current);

  /* the project keeps the ocid it came with, whatever the prefix now */
  ocid = json_object_get_string_member_with_default (kept_object, "ocid", NULL);
  if (ocid != NULL)
    json_object_set_string_member (result, "ocid", ocid);
  /* changed since the import (in anything the export shows): a new
   * release, as of the change */
  if (!json_node_equal (baseline, current))
    {
      const char *date = json_object_get_string_member_with_default (current_object, "date", "");
      g_autofree char *id = g_strdup_printf ("%s-%s", ocid != NULL ? ocid : "", date);

      json_object_set_string_member (result, "id", id);
      json_object_set_string_member (result, "date", date);
      /* what it holds: the imported stages and Procura's */
      if (json_object_has_member (current_object, "tag") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (current_object, "tag")))
        {
          JsonArray *tags = json_array_new ();
          JsonNode *lists[] = { json_object_get_member (kept_object, "tag"), json_object_get_member (current_object, "tag") };
          g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

          for (guint k = 0; k < G_N_ELEMENTS (lists); k++)
            for (guint i = 0; lists[k] != NULL && JSON_NODE_HOLDS_ARRAY (lists[k]) &&
                              i < json_array_get_length (json_node_get_array (lists[k])); i++)
              {
                JsonNode *tag = json_array_get_element (json_node_get_array (lists[k]), i);

                if (JSON_NODE_HOLDS_VALUE (tag) && json_node_get_value_type (tag) == G_TYPE_STRING &&
                    g_hash_table_add (seen, (gpointer) json_node_get_string (tag)))
                  json_array_add_string_element (tags, json_node_get_string (tag));
              }
          json_object_set_array_member (result, "tag", tags);
        }
    }

  /* the caller's object becomes the merged release */
  old_members = json_object_get_members (release);
  for (GList *l = old_members; l != NULL; l = l->next)
    json_object_remove_member (release, l->data);
  new_members = json_object_get_members (result);
  for (GList *l = new_members; l != NULL; l = l->next)
    json_object_set_member (release, l->data, json_node_copy (json_object_get_member (result, l->data)));
  /* kept fields of the extensions are declared too */
  note_extensions (release, used);

  return TRUE;
}
