/* test-demo.c — `procura-cli demo`: deterministic, consistent, plausible
 *
 * The same seed and the same --today give the same data, ids included, in
 * two fresh stores; another seed gives other data; the result passes the
 * store's own check and looks like a district's ledger.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

#include "procura-blobs.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-uscc.h"

#define N_PROJECTS "60"
#define TODAY      "2026-11-27"

static const char *cli_path;
static char **cli_env;
static char *root;

/* ---- helpers --------------------------------------------------------- */

/* Runs procura-cli ARGS… --data-dir DIR --today TODAY, the arguments being
 * first and the rest of ap; returns the exit code. */
static int
cliv (const char  *dir,
      char       **out,
      char       **err,
      const char  *first,
      va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) cli_path);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) dir);
  g_ptr_array_add (argv, (gpointer) "--today");
  g_ptr_array_add (argv, (gpointer) TODAY);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, cli_env, G_SPAWN_DEFAULT, NULL, NULL,
                out, err, &wait_status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    g_error ("procura-cli %s died", (const char *) argv->pdata[1]);

  return WEXITSTATUS (wait_status);
}

static int
cli (const char  *dir,
     char       **out,
     char       **err,
     const char  *first,
     ...) G_GNUC_NULL_TERMINATED;

static int
cli (const char  *dir,
     char       **out,
     char       **err,
     const char  *first,
     ...)
{
  va_list ap;
  int status;

  va_start (ap, first);
  status = cliv (dir, out, err, first, ap);
  va_end (ap);

  return status;
}

/* stdout of a command that must succeed */
static char *
cli_ok (const char *dir,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

static char *
cli_ok (const char *dir,
        const char *first,
        ...)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  status = cliv (dir, &out, &err, first, ap);
  va_end (ap);
  if (status != 0)
    g_error ("procura-cli %s failed: %s", first, err);

  return out;
}

/* What the clock or chance (not the seed) decides: write times, mutation
 * ids and the device id. */
static gboolean
is_volatile (const char *member)
{
  static const char * const names[] = {
    "updated_at", "submitted_at", "reviewed_at", "at", "mutation_id", "device",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (member, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
strip_volatile (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = NULL;
      const char *field = json_object_get_string_member_with_default (object, "field", NULL);

      /* a history row of a clock-stamped field: its values are times too */
      if (field != NULL && is_volatile (field))
        {
          json_object_remove_member (object, "old");
          json_object_remove_member (object, "new");
        }

      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          if (is_volatile (l->data))
            json_object_remove_member (object, l->data);
          else
            strip_volatile (json_object_get_member (object, l->data));
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        strip_volatile (json_array_get_element (array, i));
    }
}

/* The JSON output of a command with the volatile members removed. */
static char *
stable_json (const char *dir,
             const char *command,
             const char *arg)
{
  g_autofree char *out = cli_ok (dir, command, "--json", arg, NULL);
  g_autoptr(JsonNode) node = parse_json (out);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  strip_volatile (node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* Compares two texts line by line; reports the first difference briefly. */
static void
assert_same_text (const char *what,
                  const char *a,
                  const char *b)
{
  g_auto(GStrv) la = NULL;
  g_auto(GStrv) lb = NULL;
  guint i;

  if (g_strcmp0 (a, b) == 0)
    return;

  la = g_strsplit (a, "\n", -1);
  lb = g_strsplit (b, "\n", -1);
  for (i = 0; la[i] != NULL && lb[i] != NULL; i++)
    if (strcmp (la[i], lb[i]) != 0)
      break;
  g_error ("%s differs between two runs of the same seed, at line %u:\n  %s\n  %s",
           what, i + 1, la[i] != NULL ? la[i] : "(end)", lb[i] != NULL ? lb[i] : "(end)");
}

static char *
make_demo (const char *name,
           const char *seed,
           gboolean    init_first)
{
  char *dir = g_build_filename (root, name, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (init_first)
    g_free (cli_ok (dir, "init", NULL));

  status = cli (dir, &out, &err, "demo", "--projects", N_PROJECTS, "--seed", seed, NULL);
  g_test_message ("demo --seed %s: exit %d; %s%s", seed, status, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Generated " N_PROJECTS " demo projects"));
  /* no progress chatter when stderr is not a terminal */
  g_assert_cmpstr (err, ==, "");

  return dir;
}

static char *dir_a, *dir_b, *dir_c;

/* The three demo stores, made once. */
static void
ensure_demos (void)
{
  if (dir_a != NULL)
    return;
  dir_a = make_demo ("seed7-a", "7", FALSE);
  dir_b = make_demo ("seed7-b", "7", TRUE);
  dir_c = make_demo ("seed8", "8", FALSE);
}

/* ---- tests ----------------------------------------------------------- */

static void
test_deterministic (void)
{
  g_autofree char *list_a = NULL;
  g_autofree char *list_b = NULL;
  g_autofree char *stats_a = NULL;
  g_autofree char *stats_b = NULL;
  g_autoptr(JsonNode) ledger = NULL;
  JsonArray *rows;
  guint n_histories = 0;

  ensure_demos ();

  /* the ledger, ids and figures included, is the same */
  list_a = cli_ok (dir_a, "list", "--json", NULL);
  list_b = cli_ok (dir_b, "list", "--json", NULL);
  assert_same_text ("list --json", list_a, list_b);

  /* Counts of every kind, changes and outbox are the same. Field-history
   * rows may differ by a few: a report resubmitted within the same clock
   * second keeps its submitted_at, so that field records no change. */
  stats_a = cli_ok (dir_a, "stats", "--json", NULL);
  stats_b = cli_ok (dir_b, "stats", "--json", NULL);
  {
    g_autoptr(JsonNode) a = parse_json (stats_a);
    g_autoptr(JsonNode) b = parse_json (stats_b);
    JsonObject *oa = json_node_get_object (a);
    JsonObject *ob = json_node_get_object (b);
    g_autoptr(GList) members = json_object_get_members (oa);

    g_assert_cmpuint (json_object_get_size (oa), ==, json_object_get_size (ob));
    for (GList *l = members; l != NULL; l = l->next)
      {
        const char *name = l->data;

        if (g_strcmp0 (name, "history") == 0)
          continue;
        g_test_message ("stats: %s", name);
        g_assert_cmpint (int_member (oa, name), ==, int_member (ob, name));
      }
  }

  /* so is every project with everything under it, but for write times */
  ledger = parse_json (list_a);
  rows = json_node_get_array (ledger);
  g_assert_cmpuint (json_array_get_length (rows), ==, 60);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      const char *id = json_object_get_string_member (row, "id");
      g_autofree char *show_a = stable_json (dir_a, "show", id);
      g_autofree char *show_b = stable_json (dir_b, "show", id);
      g_autofree char *what = g_strdup_printf ("show --json %s", json_object_get_string_member (row, "code"));

      assert_same_text (what, show_a, show_b);

      /* and, for a few, their history: the same changes in the same order */
      if (i % 20 == 0)
        {
          g_autofree char *history_a = stable_json (dir_a, "history", id);
          g_autofree char *history_b = stable_json (dir_b, "history", id);
          g_autofree char *hwhat = g_strdup_printf ("history --json %s", json_object_get_string_member (row, "code"));

          assert_same_text (hwhat, history_a, history_b);
          n_histories++;
        }
    }
  g_assert_cmpuint (n_histories, ==, 3);
}

static void
test_other_seed (void)
{
  g_autofree char *list_a = NULL;
  g_autofree char *list_c = NULL;
  g_autoptr(JsonNode) ledger_a = NULL;
  g_autoptr(JsonNode) ledger_c = NULL;
  JsonArray *rows_a, *rows_c;
  guint same_id = 0, same_title = 0;

  ensure_demos ();

  list_a = cli_ok (dir_a, "list", "--json", NULL);
  list_c = cli_ok (dir_c, "list", "--json", NULL);
  g_assert_cmpstr (list_a, !=, list_c);

  /* not merely shifted: other ids, mostly other projects */
  ledger_a = parse_json (list_a);
  ledger_c = parse_json (list_c);
  rows_a = json_node_get_array (ledger_a);
  rows_c = json_node_get_array (ledger_c);
  g_assert_cmpuint (json_array_get_length (rows_c), ==, 60);
  for (guint i = 0; i < json_array_get_length (rows_a); i++)
    for (guint j = 0; j < json_array_get_length (rows_c); j++)
      {
        JsonObject *a = json_array_get_object_element (rows_a, i);
        JsonObject *c = json_array_get_object_element (rows_c, j);

        same_id += g_strcmp0 (json_object_get_string_member (a, "id"),
                              json_object_get_string_member (c, "id")) == 0;
        same_title += i == j && g_strcmp0 (json_object_get_string_member (a, "title"),
                                           json_object_get_string_member (c, "title")) == 0;
      }
  g_assert_cmpuint (same_id, ==, 0);
  g_assert_cmpuint (same_title, <, 30);
}

static void
test_check (void)
{
  const char *dirs[3];

  ensure_demos ();
  dirs[0] = dir_a;
  dirs[1] = dir_b;
  dirs[2] = dir_c;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = cli (dirs[i], &out, &err, "check", NULL);

      g_test_message ("check %s: %s%s", dirs[i], out, err);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (out, "consistent"));
    }
}

/* Every demo attachment's file is in the blob store, intact, of the size
 * the record says, and of the type it claims: opening one works. */
static void
test_attachment_files (void)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blob_dir = NULL;

  ensure_demos ();
  store = procura_store_open (dir_a, &error);
  g_assert_no_error (error);
  blob_dir = g_build_filename (dir_a, "blobs", NULL);
  attachments = procura_store_list (store, PROCURA_ENTITY_ATTACHMENT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attachments->len, >, 0);

  for (guint i = 0; i < attachments->len; i++)
    {
      ProcuraRecord *attachment = g_ptr_array_index (attachments, i);
      const char *mime = procura_record_get_string (attachment, "mime_type");
      g_autoptr(GBytes) bytes = procura_blobs_read (blob_dir, procura_record_get_string (attachment, "sha256"), &error);
      const char *data;

      g_assert_no_error (error);
      g_assert_cmpint (g_bytes_get_size (bytes), ==, procura_record_get_int (attachment, "size", -1));
      data = g_bytes_get_data (bytes, NULL);
      if (g_str_equal (mime, "application/pdf"))
        g_assert_true (g_bytes_get_size (bytes) > 8 && memcmp (data, "%PDF-1.", 7) == 0);
      else
        {
          g_assert_cmpstr (mime, ==, "text/csv");
          g_assert_true (memcmp (data, "\xef\xbb\xbf", 3) == 0);
          g_assert_true (g_utf8_validate (data, g_bytes_get_size (bytes), NULL));
        }
    }
}

/* What a district's ledger of 60 projects must hold, whatever the seed. */
static void
test_plausible (void)
{
  const char *dirs[2];

  ensure_demos ();
  dirs[0] = dir_a;
  dirs[1] = dir_c;

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *stats_text = cli_ok (dirs[d], "stats", "--json", NULL);
      g_autofree char *list_text = cli_ok (dirs[d], "list", "--json", NULL);
      g_autoptr(JsonNode) stats_node = parse_json (stats_text);
      g_autoptr(JsonNode) ledger = parse_json (list_text);
      JsonObject *stats = json_node_get_object (stats_node);
      JsonArray *rows = json_node_get_array (ledger);
      /* every kind the generator writes for any started project */
      static const char * const always[] = {
        "payments", "reports", "attachments", "evaluations", "criteria", "indicators",
        "indicator_periods", "activities", "consultations",
      };
      guint n_signed = 0, n_active = 0, n_completed = 0, n_overdue = 0;
      gint64 milestones = int_member (stats, "milestones");

      g_test_message ("%s", stats_text);

      g_assert_cmpint (int_member (stats, "projects"), ==, 60);
      g_assert_cmpint (int_member (stats, "organizations"), >=, 6);
      g_assert_cmpint (int_member (stats, "grade_schemes"), >=, 1);
      g_assert_cmpint (milestones, >=, 2 * 60);
      g_assert_cmpint (milestones, <=, 15 * 60);
      g_assert_cmpint (int_member (stats, "payments"), >=, 60);
      /* amendments may well be 0 for 60 projects (about 5% get one) */
      g_assert_cmpint (int_member (stats, "amendments"), >=, 0);
      for (guint i = 0; i < G_N_ELEMENTS (always); i++)
        {
          g_test_message ("%s", always[i]);
          g_assert_cmpint (int_member (stats, always[i]), >, 0);
        }
      /* the history and the outbox of every write */
      g_assert_cmpint (int_member (stats, "changes"), >, int_member (stats, "projects") * 5);
      g_assert_cmpint (int_member (stats, "history"), >, int_member (stats, "changes"));
      /* every write is queued for sync but the cascades (the server
       * runs them) */
      g_assert_cmpint (int_member (stats, "outbox"), <, int_member (stats, "changes"));
      g_assert_cmpint (int_member (stats, "outbox"), >=, int_member (stats, "changes") * 3 / 4);

      /* reports are dated by the demo's calendar, not by the day it ran:
       * submitted over many days, each accepted after it was submitted */
      {
        g_autofree char *db = g_build_filename (dirs[d], PROCURA_STORE_DB_NAME, NULL);

        g_assert_cmpint (db_query_int (db, "SELECT count(DISTINCT substr(submitted_at, 1, 10)) FROM report"), >, 10);
        g_assert_cmpint (db_query_int (db, "SELECT count(*) FROM report WHERE submitted_at IS NULL "
                                           "AND state <> 'draft'"), ==, 0);
        g_assert_cmpint (db_query_int (db, "SELECT count(*) FROM report WHERE state = 'accepted' AND reviewed_at <= submitted_at"), ==, 0);
      }

      /* projects: signed ones have an agency, a value, a plan; money adds up */
      g_assert_cmpuint (json_array_get_length (rows), ==, 60);
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);
          const char *status = json_object_get_string_member (row, "status");

          g_assert_true (g_strv_contains ((const char * const[]) { "draft", "active", "completed", "terminated", "cancelled", NULL },
                                          status));
          g_assert_cmpint (int_member (row, "paid"), >=, 0);
          g_assert_cmpint (int_member (row, "paid"), <=, int_member (row, "amended_value"));
          g_assert_cmpint (int_member (row, "milestones_accepted"), <=, int_member (row, "milestones"));
          if (g_strcmp0 (status, "draft") == 0 || g_strcmp0 (status, "cancelled") == 0)
            continue;

          n_signed++;
          n_active += g_strcmp0 (status, "active") == 0;
          n_completed += g_strcmp0 (status, "completed") == 0;
          n_overdue += int_member (row, "overdue") > 0;
          g_assert_nonnull (json_object_get_string_member (row, "agency_id"));
          g_assert_cmpint (int_member (row, "value"), >=, 5000000);      /* ¥50,000 */
          g_assert_cmpint (int_member (row, "value"), <=, 200000000);    /* ¥2,000,000 */
          g_assert_cmpint (int_member (row, "milestones"), >=, 2);
          g_assert_true (g_str_has_prefix (json_object_get_string_member (row, "start_date"), "20"));
          g_assert_cmpstr (json_object_get_string_member (row, "start_date"), <,
                           json_object_get_string_member (row, "end_date"));
        }
      g_test_message ("signed %u, active %u, completed %u, with overdue milestones %u",
                      n_signed, n_active, n_completed, n_overdue);
      /* ten years of purchases seen from today: most signed, many done */
      g_assert_cmpuint (n_signed, >=, 45);
      g_assert_cmpuint (n_completed, >=, 20);
      g_assert_cmpuint (n_active, >=, 1);
    }
}

/* Every organization's credit code is valid, and names and codes are unique. */
static void
test_organizations (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) kinds = g_hash_table_new (g_str_hash, g_str_equal);

  ensure_demos ();

  store = procura_store_open (dir_a, &error);
  g_assert_no_error (error);
  orgs = procura_store_list (store, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (orgs->len, >=, 6);

  for (guint i = 0; i < orgs->len; i++)
    {
      ProcuraRecord *org = g_ptr_array_index (orgs, i);
      const char *uscc = procura_record_get_string (org, "uscc");
      g_autoptr(GError) uscc_error = NULL;

      if (!procura_uscc_validate (uscc, &uscc_error))
        g_error ("%s: %s: %s", procura_record_get_string (org, "name"), uscc, uscc_error->message);
      g_assert_false (g_hash_table_contains (names, procura_record_get_string (org, "name")));
      g_hash_table_add (names, (gpointer) procura_record_get_string (org, "name"));
      g_hash_table_add (kinds, (gpointer) procura_record_get_string (org, "kind"));
    }

  /* buyers, agencies and evaluators */
  g_assert_true (g_hash_table_contains (kinds, "civil_affairs_bureau"));
  g_assert_true (g_hash_table_contains (kinds, "social_work_agency"));
  g_assert_true (g_hash_table_contains (kinds, "evaluator"));
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!procura_test_init_cli (&argc, &argv, &cli_path, &cli_env))
    return 77;

  root = procura_test_make_tmp_dir ("procura-demo-XXXXXX");

  g_test_add_func ("/demo/deterministic", test_deterministic);
  g_test_add_func ("/demo/other-seed", test_other_seed);
  g_test_add_func ("/demo/check", test_check);
  g_test_add_func ("/demo/attachment-files", test_attachment_files);
  g_test_add_func ("/demo/plausible", test_plausible);
  g_test_add_func ("/demo/organizations", test_organizations);

  status = g_test_run ();

  procura_test_remove_tree (root);
  g_free (root);
  g_free (dir_a);
  g_free (dir_b);
  g_free (dir_c);
  g_strfreev (cli_env);

  return status;
}
