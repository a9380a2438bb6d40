/* test-ocds.c — the OCDS 1.1.5 release and record package exports
 *
 * Exports a demo store and runs tests/ocds-validate.py (Debian's
 * python3-jsonschema, the release schema and the extensions from
 * tests/fixtures/ocds/1.1.5, no network) over it; then reads the package back
 * and checks it against the store: the ocid prefix, CN-USCI identifiers,
 * every CNY amount equal to the store's 分 exactly and written with two
 * decimals, milestones, transactions and indicator actuals one for one. A package with a
 * wrong currency type must fail the validator, so a validator that
 * accepts anything cannot pass. The 2,000-project demo's release package
 * validates too, and reads the same whichever way the exporter loads the
 * projects. A record package of projects edited after the demo (a title, a
 * milestone accepted, a payment made, an amendment) validates against the
 * record package schema and shows the history: the first release has the
 * old values, the compiled release the new ones, and the versioned release
 * lists both with the releases that made them, its latest values equal
 * to the compiled release everywhere. An attachment flagged as personal
 * or deleted later appears in no release of the history, nor does an
 * organization's contact; a release is named after the project's last
 * change (a deletion too), as the record package's last release is; a
 * draft, a cancellation without agency, a termination and a lowered value
 * show and validate. Skips when python3 or jsonschema is missing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "procura-demo.h"
#include "procura-ocds.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define N_PROJECTS 20
#define N_BIG      2000
#define TODAY      "2026-11-27"

static char *root;
static char *data_dir;
static char *python;
static char *script;
static char *schema_dir;
static ProcuraStore *store;
static char *big_dir;
static ProcuraStore *big_store;

/* Exit status of the validator on path; its output in *out. */
static int
validate (const char  *path,
          char       **out)
{
  const char *argv[] = { python, script, schema_dir, path, NULL };

  return procura_test_run (NULL, NULL, out, NULL, argv);
}

static JsonObject *
read_package (const char *path,
              JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_value (JsonObject *object,
              const char *member,
              gint64      fen)
{
  JsonObject *value;
  double amount;

  g_assert_true (json_object_has_member (object, member));
  value = json_object_get_object_member (object, member);
  g_assert_cmpstr (json_object_get_string_member (value, "currency"), ==, "CNY");
  amount = json_object_get_double_member (value, "amount");
  g_assert_cmpint ((gint64) llround (amount * 100), ==, fen);
}

static const ProcuraRecord *
find_by_id (GPtrArray  *records,
            const char *id)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    if (g_strcmp0 (procura_record_get_id (g_ptr_array_index (records, i)), id) == 0)
      return g_ptr_array_index (records, i);
  return NULL;
}

static void
assert_party (JsonArray           *parties,
              const ProcuraRecord *org,
              const char          *role)
{
  g_autofree char *id = g_strconcat ("CN-USCI-", procura_record_get_string (org, "uscc"), NULL);

  for (guint i = 0; i < json_array_get_length (parties); i++)
    {
      JsonObject *party = json_array_get_object_element (parties, i);
      JsonObject *identifier;
      JsonArray *roles;
      gboolean has_role = FALSE;

      if (g_strcmp0 (json_object_get_string_member (party, "id"), id) != 0)
        continue;
      identifier = json_object_get_object_member (party, "identifier");
      g_assert_cmpstr (json_object_get_string_member (identifier, "scheme"), ==, "CN-USCI");
      g_assert_cmpstr (json_object_get_string_member (identifier, "id"), ==, procura_record_get_string (org, "uscc"));
      g_assert_cmpstr (json_object_get_string_member (identifier, "legalName"), ==, procura_record_get_string (org, "name"));
      roles = json_object_get_array_member (party, "roles");
      for (guint j = 0; j < json_array_get_length (roles); j++)
        has_role |= g_strcmp0 (json_array_get_string_element (roles, j), role) == 0;
      g_assert_true (has_role);
      return;
    }
  g_assert_not_reached ();
}

static void
test_package (void)
{
  g_autofree char *path = g_build_filename (root, "package.json", NULL);
  g_autofree char *text = NULL, *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GRegex) amount_re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  JsonObject *package;
  JsonArray *releases;
  guint n_milestones = 0, n_transactions = 0, n_amounts = 0, n_related = 0;
  guint n_parties = 0, n_contracts = 0, n_actuals = 0;

  g_assert_true (procura_ocds_export_to_file (store, NULL, NULL, path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (validate (path, &out), ==, 0);
  g_assert_nonnull (strstr (out, "valid: 20 release(s)"));

  /* every amount is a number with exactly two decimals */
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  amount_re = g_regex_new ("\"amount\": ([^{,\\n}]+)", 0, 0, NULL);
  g_regex_match (amount_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *number = g_match_info_fetch (match, 1);

      if (!g_regex_match_simple ("^-?[0-9]+\\.[0-9][0-9]$", number, 0, 0))
        g_assert_cmpstr (number, ==, "a number with two decimals");
      n_amounts++;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (n_amounts, >, 0);

  package = read_package (path, parser);
  g_assert_cmpstr (json_object_get_string_member (package, "version"), ==, "1.1");
  releases = json_object_get_array_member (package, "releases");
  rows = procura_store_query_ledger (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (releases), ==, rows->len);
  g_assert_cmpuint (rows->len, ==, N_PROJECTS);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (store, row->id, &error);
      JsonObject *release = json_array_get_object_element (releases, i);
      g_autofree char *ocid = g_strconcat (PROCURA_OCDS_DEFAULT_PREFIX "-", row->code, NULL);
      JsonArray *parties = json_object_get_array_member (release, "parties");
      JsonObject *contract, *implementation;
      JsonArray *milestones, *transactions;
      gint64 amended, paid = 0, exported_paid = 0;
      guint n_paid = 0;

      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (release, "ocid"), ==, ocid);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (release, "id"), ocid));
      g_assert_cmpstr (json_object_get_string_member (release, "initiationType"), ==, "tender");

      if (bundle->buyer != NULL)
        assert_party (parties, bundle->buyer, "buyer");
      if (bundle->agency != NULL)
        assert_party (parties, bundle->agency, "supplier");
      n_parties += (bundle->buyer != NULL) + (bundle->agency != NULL);
      g_assert_cmpuint (json_array_get_length (parties), ==, (bundle->buyer != NULL) + (bundle->agency != NULL));

      if (procura_record_has (bundle->project, "budget"))
        assert_value (json_object_get_object_member (json_object_get_object_member (release, "planning"), "budget"),
                      "amount", procura_record_get_int (bundle->project, "budget", 0));

      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (release, "tender"),
                                                      "procurementMethodDetails"), !=, NULL);

      /* no agency yet: nothing awarded or contracted */
      if (bundle->agency == NULL)
        {
          g_assert_false (json_object_has_member (release, "awards"));
          g_assert_false (json_object_has_member (release, "contracts"));
          continue;
        }
      n_contracts++;

      amended = procura_record_get_int (bundle->project, "value", 0);
      for (guint j = 0; j < bundle->amendments->len; j++)
        amended += procura_record_get_int (g_ptr_array_index (bundle->amendments, j), "value_delta", 0);
      assert_value (json_array_get_object_element (json_object_get_array_member (release, "awards"), 0),
                    "value", procura_record_get_int (bundle->project, "value", 0));
      contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);
      assert_value (contract, "value", amended);

      implementation = json_object_get_object_member (contract, "implementation");
      milestones = json_object_has_member (implementation, "milestones")
                   ? json_object_get_array_member (implementation, "milestones") : NULL;
      g_assert_cmpuint (milestones != NULL ? json_array_get_length (milestones) : 0, ==, bundle->milestones->len);
      n_milestones += bundle->milestones->len;
      for (guint j = 0; milestones != NULL && j < json_array_get_length (milestones); j++)
        {
          JsonObject *m = json_array_get_object_element (milestones, j);
          const ProcuraRecord *record = find_by_id (bundle->milestones, json_object_get_string_member (m, "id"));

          g_assert_nonnull (record);
          g_assert_cmpstr (json_object_get_string_member (m, "status"), ==,
                           g_strcmp0 (procura_record_get_string (record, "status"), "accepted") == 0 ? "met" : "scheduled");
        }

      for (guint j = 0; j < bundle->payments->len; j++)
        {
          ProcuraRecord *p = g_ptr_array_index (bundle->payments, j);

          if (g_strcmp0 (procura_record_get_string (p, "status"), "paid") == 0)
            {
              paid += procura_record_get_int (p, "paid_amount", 0);
              n_paid++;
            }
        }
      transactions = json_object_has_member (implementation, "transactions")
                     ? json_object_get_array_member (implementation, "transactions") : NULL;
      g_assert_cmpuint (transactions != NULL ? json_array_get_length (transactions) : 0, ==, n_paid);
      for (guint j = 0; transactions != NULL && j < json_array_get_length (transactions); j++)
        {
          JsonObject *t = json_array_get_object_element (transactions, j);
          const ProcuraRecord *record = find_by_id (bundle->payments, json_object_get_string_member (t, "id"));

          g_assert_nonnull (record);
          assert_value (t, "value", procura_record_get_int (record, "paid_amount", 0));
          exported_paid += llround (json_object_get_double_member (json_object_get_object_member (t, "value"), "amount") * 100);
          if (procura_record_get_string (record, "milestone_id") != NULL)
            {
              JsonObject *ref = json_object_get_object_member (t, "relatedImplementationMilestone");

              g_assert_cmpstr (json_object_get_string_member (ref, "id"), ==,
                               procura_record_get_string (record, "milestone_id"));
              n_related++;
            }
        }
      g_assert_cmpint (exported_paid, ==, paid);
      n_transactions += n_paid;

      /* outcome indicators: every actual, exactly, in implementation.metrics */
      for (guint j = 0; j < bundle->indicator_periods->len; j++)
        {
          ProcuraRecord *p = g_ptr_array_index (bundle->indicator_periods, j);
          JsonArray *metrics;
          gboolean found = FALSE;

          if (!procura_record_has (p, "actual_value"))
            continue;
          metrics = json_object_get_array_member (implementation, "metrics");
          for (guint k = 0; k < json_array_get_length (metrics); k++)
            {
              JsonObject *metric = json_array_get_object_element (metrics, k);
              JsonArray *observations = json_object_get_array_member (metric, "observations");

              if (g_strcmp0 (json_object_get_string_member (metric, "id"),
                             procura_record_get_string (p, "indicator_id")) != 0)
                continue;
              for (guint l = 0; l < json_array_get_length (observations); l++)
                {
                  JsonObject *obs = json_array_get_object_element (observations, l);

                  if (g_strcmp0 (json_object_get_string_member (obs, "id"), procura_record_get_id (p)) != 0)
                    continue;
                  g_assert_cmpint (llround (json_object_get_double_member (obs, "measure") * 100), ==,
                                   procura_record_get_int (p, "actual_value", 0));
                  found = TRUE;
                }
            }
          g_assert_true (found);
          n_actuals++;
        }
    }

  /* the demo exercises what is checked */
  g_assert_cmpuint (n_parties, >, N_PROJECTS);
  g_assert_cmpuint (n_contracts, >, N_PROJECTS / 2);
  g_assert_cmpuint (n_milestones, >, 0);
  g_assert_cmpuint (n_transactions, >, 0);
  g_assert_cmpuint (n_related, >, 0);
  g_assert_cmpuint (n_actuals, >, 0);
}

/* The validator must reject what the schema rejects. */
static void
test_invalid (void)
{
  g_autofree char *path = g_build_filename (root, "package.json", NULL);
  g_autofree char *bad = g_build_filename (root, "bad.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  JsonObject *package, *release, *contract;

  g_assert_true (procura_ocds_export_to_file (store, NULL, NULL, path, &error));
  g_assert_no_error (error);
  package = read_package (path, parser);
  release = json_array_get_object_element (json_object_get_array_member (package, "releases"), 0);
  contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);
  json_object_set_int_member (json_object_get_object_member (contract, "value"), "currency", 156);

  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, bad, &error));
  g_assert_no_error (error);

  g_assert_cmpint (validate (bad, &out), ==, 1);
  g_assert_nonnull (strstr (out, "/releases/0/contracts/0/value/currency"));
}

/* procura-cli export --format ocds -o FILE PROJECT writes one release. */
static void
test_cli (void)
{
  g_autofree char *path = g_build_filename (root, "cli.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (store, NULL, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) env = procura_test_cli_environ ();
  ProcuraLedgerRow *row = g_ptr_array_index (rows, 3);
  g_autofree char *ocid = g_strconcat (PROCURA_OCDS_DEFAULT_PREFIX "-", row->code, NULL);
  const char *argv[] = { g_getenv ("PROCURA_CLI"), "--data-dir", data_dir, "export", "--format", "ocds",
                         "-o", path, row->code, NULL };
  JsonArray *releases;

  env = g_environ_unsetenv (env, "PROCURA_DATA_DIR");
  g_assert_cmpint (procura_test_run (env, NULL, NULL, NULL, argv), ==, 0);
  g_assert_cmpint (validate (path, &out), ==, 0);
  releases = json_object_get_array_member (read_package (path, parser), "releases");
  g_assert_cmpuint (json_array_get_length (releases), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (releases, 0), "ocid"), ==, ocid);
}

/* ---- the 2,000-project demo ------------------------------------------ */

static char *
node_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* ocid → the release's text */
static GHashTable *
releases_by_ocid (JsonObject *package)
{
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *releases = json_object_get_array_member (package, "releases");

  for (guint i = 0; i < json_array_get_length (releases); i++)
    {
      JsonNode *release = json_array_get_element (releases, i);

      g_hash_table_insert (map, g_strdup (json_object_get_string_member (json_node_get_object (release), "ocid")),
                           node_text (release));
    }
  return map;
}

/* The test: the export of the 2,000-project demo validates. */
static void
test_big (void)
{
  g_autofree char *path = g_build_filename (root, "big.json", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  g_assert_true (procura_ocds_export_to_file (big_store, NULL, NULL, path, &error));
  g_assert_no_error (error);
  g_test_message ("export of %d projects: %.2f s", N_BIG, (g_get_monotonic_time () - start) / 1e6);

  start = g_get_monotonic_time ();
  status = validate (path, &out);
  g_test_message ("validation of %d releases: %.1f s", N_BIG, (g_get_monotonic_time () - start) / 1e6);
  if (status != 0)
    g_test_message ("%s", out);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "valid: " G_STRINGIFY (N_BIG) " release(s)"));
}

/* A few projects are loaded one by one, many in one pass over the tables
 * with the others skipped, all of them in one pass: the releases must not
 * differ. */
static void
test_loaders (void)
{
  g_autoptr(GString) all_text = g_string_new (NULL);
  g_autoptr(JsonParser) all_parser = json_parser_new ();
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_ocds_export_release_package (big_store, NULL, NULL, NULL, all_text, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (all_parser, all_text->str, all_text->len, &error));
  all = releases_by_ocid (json_node_get_object (json_parser_get_root (all_parser)));
  rows = procura_store_query_ledger (big_store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (all), ==, rows->len);

  for (guint step = 0; step < 2; step++)
    {
      /* 3 projects (one by one) or 400 (one pass, the rest skipped) */
      guint stride = step == 0 ? rows->len / 3 : 5;
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonArray *releases;

      /* backwards: the package is in project number order anyway */
      for (guint i = rows->len; i-- > 0;)
        if (i % stride == 1)
          g_ptr_array_add (ids, ((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->id);
      g_assert_true (procura_ocds_export_release_package (big_store, ids, NULL, NULL, text, &error));
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, text->str, text->len, &error));
      releases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "releases");
      g_assert_cmpuint (json_array_get_length (releases), ==, ids->len);
      for (guint i = 0; i < json_array_get_length (releases); i++)
        {
          JsonNode *release = json_array_get_element (releases, i);
          g_autofree char *release_text = node_text (release);
          const char *ocid = json_object_get_string_member (json_node_get_object (release), "ocid");
          g_assert_cmpstr (release_text, ==, g_hash_table_lookup (all, ocid));
          /* number order */
          if (i > 0)
            g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (releases, i - 1), "ocid"),
                             <, ocid);
        }
    }
}

/* ---- the record package ---------------------------------------------- */

typedef struct
{
  char   *project_id;
  char   *code;
  char   *old_title;
  char   *new_title;
  char   *milestone_id;
  char   *payment_id;
  char   *amendment_id;
  gint64  paid;
} Edited;

static void
update_as (ProcuraStore  *s,
           const char    *actor,
           ProcuraRecord *changes)
{
  g_autoptr(GError) error = NULL;

  /* a new author makes each edit a group of its own, within one second */
  procura_store_set_actor (s, actor);
  procura_store_update (s, changes, &error);
  g_assert_no_error (error);
  procura_record_unref (changes);
}

/* A demo project with an agency and a planned milestone that a planned
 * payment waits for: its title changes, the milestone is accepted, the
 * payment made and an amendment signed. */
static void
edit_project (ProcuraStore *s,
              Edited       *e)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) amendment = NULL;
  ProcuraRecord *changes;
  gint64 planned = 0;

  rows = procura_store_query_ledger (s, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len && e->project_id == NULL; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (s, row->id, &error);

      g_assert_no_error (error);
      if (bundle->agency == NULL || g_strcmp0 (procura_record_get_string (bundle->project, "status"), "active") != 0)
        continue;
      for (guint j = 0; j < bundle->payments->len; j++)
        {
          ProcuraRecord *p = g_ptr_array_index (bundle->payments, j);
          const ProcuraRecord *m = find_by_id (bundle->milestones, procura_record_get_string (p, "milestone_id"));

          if (m == NULL || g_strcmp0 (procura_record_get_string (p, "status"), "planned") != 0 ||
              g_strcmp0 (procura_record_get_string (m, "status"), "planned") != 0)
            continue;
          e->project_id = g_strdup (row->id);
          e->code = g_strdup (row->code);
          e->old_title = g_strdup (procura_record_get_string (bundle->project, "title"));
          e->milestone_id = g_strdup (procura_record_get_id (m));
          e->payment_id = g_strdup (procura_record_get_id (p));
          planned = procura_record_get_int (p, "planned_amount", 0);
          break;
        }
    }
  g_assert_nonnull (e->project_id);

  e->new_title = g_strconcat (e->old_title, "（第二期）", NULL);
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, e->project_id);
  procura_record_set_string (changes, "title", e->new_title);
  update_as (s, "ocds-test-title", changes);

  changes = procura_record_new (PROCURA_ENTITY_MILESTONE, e->milestone_id);
  procura_record_set_string (changes, "status", "submitted");
  update_as (s, "ocds-test-submit", changes);
  changes = procura_record_new (PROCURA_ENTITY_MILESTONE, e->milestone_id);
  procura_record_set_string (changes, "status", "accepted");
  procura_record_set_string (changes, "date_met", TODAY);
  update_as (s, "ocds-test-accept", changes);

  /* accepting the milestone made its tranche payable */
  {
    g_autoptr(ProcuraRecord) payment = procura_store_get (s, PROCURA_ENTITY_PAYMENT, e->payment_id, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (procura_record_get_string (payment, "status"), ==, "payable");
  }
  e->paid = planned;
  changes = procura_record_new (PROCURA_ENTITY_PAYMENT, e->payment_id);
  procura_record_set_string (changes, "status", "paid");
  procura_record_set_string (changes, "paid_date", TODAY);
  procura_record_set_int (changes, "paid_amount", e->paid);
  procura_record_set_string (changes, "voucher_no", "记-2026-1127");
  update_as (s, "ocds-test-pay", changes);

  procura_store_set_actor (s, "ocds-test-amend");
  amendment = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);
  procura_record_set_string (amendment, "project_id", e->project_id);
  procura_record_set_string (amendment, "date", TODAY);
  procura_record_set_string (amendment, "rationale", "服务人数增加，追加服务内容");
  procura_record_set_int (amendment, "value_delta", 100000);
  g_assert_true (procura_store_insert (s, amendment, &error));
  g_assert_no_error (error);
  e->amendment_id = g_strdup (procura_record_get_id (amendment));
}

static void
edited_clear (Edited *e)
{
  g_free (e->project_id);
  g_free (e->code);
  g_free (e->old_title);
  g_free (e->new_title);
  g_free (e->milestone_id);
  g_free (e->payment_id);
  g_free (e->amendment_id);
}

static JsonNode *
member_path (JsonNode   *node,
             const char *first,
             ...)
{
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL && node != NULL; name = va_arg (args, const char *))
    {
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          JsonNode *found = NULL;

          /* an id in an array of objects */
          for (guint i = 0; i < json_array_get_length (array) && found == NULL; i++)
            {
              JsonObject *item = json_array_get_object_element (array, i);

              if (g_strcmp0 (json_object_get_string_member_with_default (item, "id", NULL), name) == 0)
                found = json_array_get_element (array, i);
            }
          node = found;
        }
      else if (JSON_NODE_HOLDS_OBJECT (node))
        node = json_object_get_member (json_node_get_object (node), name);
      else
        node = NULL;
    }
  va_end (args);
  return node;
}

/* Versions of a versioned value: count, and the value and release id of
 * version i. */
static JsonObject *
version_at (JsonNode *versions,
            guint     i)
{
  g_assert_nonnull (versions);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (versions));
  g_assert_cmpuint (i, <, json_array_get_length (json_node_get_array (versions)));
  return json_array_get_object_element (json_node_get_array (versions), i);
}

static gboolean
is_id_array (JsonNode *node)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (item) || !json_object_has_member (json_node_get_object (item), "id"))
        return FALSE;
    }
  return TRUE;
}

/* The latest version of every value of the versioned release is the
 * compiled release's value, and every value that is not in the compiled
 * release was versioned as null last. */
static void
assert_versioned_latest (JsonNode   *compiled,
                         JsonNode   *versioned,
                         const char *path,
                         gboolean    top,
                         gboolean    item)
{
  JsonObject *c = json_node_get_object (compiled);
  JsonObject *v = json_node_get_object (versioned);
  g_autoptr(GList) members = json_object_get_members (c);
  g_autoptr(GList) vmembers = json_object_get_members (v);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (c, name);
      JsonNode *vvalue = json_object_get_member (v, name);
      g_autofree char *where = g_strconcat (path, "/", name, NULL);

      if (top && (strcmp (name, "id") == 0 || strcmp (name, "date") == 0 || strcmp (name, "tag") == 0))
        continue;
      if ((top && strcmp (name, "ocid") == 0) || (item && strcmp (name, "id") == 0))
        {
          g_autofree char *a = node_text (value), *b = vvalue != NULL ? node_text (vvalue) : NULL;

          g_assert_cmpstr (a, ==, b);
          continue;
        }
      if (vvalue == NULL)
        g_error ("versionedRelease%s: missing", where);

      if (JSON_NODE_HOLDS_OBJECT (value))
        assert_versioned_latest (value, vvalue, where, FALSE, FALSE);
      else if (is_id_array (value))
        {
          JsonArray *array = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              const char *id = json_object_get_string_member (json_node_get_object (element), "id");
              JsonNode *velement = member_path (vvalue, id, NULL);
              g_autofree char *item_where = g_strdup_printf ("%s/%s", where, id);

              if (velement == NULL)
                g_error ("versionedRelease%s: missing", item_where);
              assert_versioned_latest (element, velement, item_where, FALSE, TRUE);
            }
        }
      else
        {
          JsonArray *versions = json_node_get_array (vvalue);
          JsonObject *last = json_array_get_object_element (versions, json_array_get_length (versions) - 1);
          g_autofree char *a = node_text (value);
          g_autofree char *b = node_text (json_object_get_member (last, "value"));

          if (g_strcmp0 (a, b) != 0)
            g_error ("versionedRelease%s: latest %s, compiled %s", where, b, a);
        }
    }

  /* what the compiled release no longer has ends in null */
  for (GList *l = vmembers; l != NULL; l = l->next)
    {
      JsonNode *vvalue = json_object_get_member (v, l->data);

      if (json_object_has_member (c, l->data) || (top && strcmp (l->data, "ocid") == 0) ||
          (item && strcmp (l->data, "id") == 0))
        continue;
      if (JSON_NODE_HOLDS_ARRAY (vvalue) && json_array_get_length (json_node_get_array (vvalue)) > 0 &&
          json_object_has_member (json_array_get_object_element (json_node_get_array (vvalue), 0), "releaseID"))
        {
          JsonArray *versions = json_node_get_array (vvalue);
          JsonObject *last = json_array_get_object_element (versions, json_array_get_length (versions) - 1);

          if (!json_object_get_null_member (last, "value"))
            g_error ("versionedRelease%s/%s: gone from the compiled release but not null", path, (char *) l->data);
        }
    }
}

static void
test_record (void)
{
  g_autofree char *dir = g_build_filename (root, "record-data", NULL);
  g_autofree char *path = g_build_filename (root, "record.json", NULL);
  g_autofree char *release_path = g_build_filename (root, "record-releases.json", NULL);
  g_autofree char *bad = g_build_filename (root, "record-bad.json", NULL);
  g_autofree char *out = NULL;
  g_autofree char *ocid = NULL;
  g_autoptr(ProcuraStore) s = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) release_parser = json_parser_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) current = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  Edited e = { NULL };
  JsonObject *package, *record = NULL;
  JsonArray *records, *releases;
  JsonNode *compiled, *versioned, *versions;
  guint n_title = 0, title_release = 0;

  s = procura_store_open (dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (s, TODAY);
  procura_store_set_actor (s, "test");
  g_assert_true (procura_demo_generate (s, 12, 11, NULL, NULL, &error));
  g_assert_no_error (error);
  edit_project (s, &e);
  ocid = g_strconcat ("ocds-t3st01-", e.code, NULL);

  /* the edited project and two others */
  rows = procura_store_query_ledger (s, NULL, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (ids, e.project_id);
  for (guint i = 0; i < rows->len && ids->len < 3; i++)
    if (g_strcmp0 (((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->id, e.project_id) != 0)
      g_ptr_array_add (ids, ((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->id);

  g_assert_true (procura_ocds_record_export_to_file (s, ids, "ocds-t3st01", path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (validate (path, &out), ==, 0);
  g_assert_nonnull (strstr (out, "valid: 3 record(s)"));

  package = read_package (path, parser);
  records = json_object_get_array_member (package, "records");
  g_assert_cmpuint (json_array_get_length (records), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *r = json_array_get_object_element (records, i);
      const char *r_ocid = json_object_get_string_member (r, "ocid");

      g_assert_true (g_str_has_prefix (r_ocid, "ocds-t3st01-"));
      if (strcmp (r_ocid, ocid) == 0)
        record = r;
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, i - 1), "ocid"), <, r_ocid);
    }
  g_assert_nonnull (record);
  releases = json_object_get_array_member (record, "releases");
  compiled = json_object_get_member (record, "compiledRelease");
  versioned = json_object_get_member (record, "versionedRelease");
  /* at least the demo's state and the five edits */
  g_assert_cmpuint (json_array_get_length (releases), >=, 6);

  /* releases: one ocid, unique ids, in date order */
  {
    g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (guint i = 0; i < json_array_get_length (releases); i++)
      {
        JsonObject *release = json_array_get_object_element (releases, i);

        g_assert_cmpstr (json_object_get_string_member (release, "ocid"), ==, ocid);
        g_assert_true (g_hash_table_add (seen, (gpointer) json_object_get_string_member (release, "id")));
        if (i > 0)
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (releases, i - 1), "date"),
                           <=, json_object_get_string_member (release, "date"));
      }
  }

  /* the title: old in the first release, new in the compiled one, both
   * in the versioned one with the releases that set them */
  g_assert_cmpstr (json_node_get_string (member_path (json_array_get_element (releases, 0), "tender", "title", NULL)),
                   ==, e.old_title);
  g_assert_cmpstr (json_node_get_string (member_path (compiled, "tender", "title", NULL)), ==, e.new_title);
  versions = member_path (versioned, "tender", "title", NULL);
  n_title = json_array_get_length (json_node_get_array (versions));
  g_assert_cmpuint (n_title, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (version_at (versions, 0), "value"), ==, e.old_title);
  g_assert_cmpstr (json_object_get_string_member (version_at (versions, 0), "releaseID"), ==,
                   json_object_get_string_member (json_array_get_object_element (releases, 0), "id"));
  g_assert_cmpstr (json_object_get_string_member (version_at (versions, 1), "value"), ==, e.new_title);
  for (guint i = 0; i < json_array_get_length (releases); i++)
    if (g_strcmp0 (json_node_get_string (member_path (json_array_get_element (releases, i), "tender", "title", NULL)),
                   e.new_title) == 0)
      {
        title_release = i;
        break;
      }
  g_assert_cmpuint (title_release, >, 0);
  g_assert_cmpstr (json_object_get_string_member (version_at (versions, 1), "releaseID"), ==,
                   json_object_get_string_member (json_array_get_object_element (releases, title_release), "id"));
  g_assert_cmpstr (json_object_get_string_member (version_at (versions, 1), "releaseDate"), ==,
                   json_object_get_string_member (json_array_get_object_element (releases, title_release), "date"));

  /* the milestone: scheduled, then met */
  versions = member_path (versioned, "contracts", NULL);
  g_assert_nonnull (versions);
  {
    JsonObject *vcontract = json_array_get_object_element (json_node_get_array (versions), 0);
    g_autoptr(JsonNode) vcontract_node = json_node_init_object (json_node_alloc (), vcontract);
    JsonNode *vmilestone = member_path (json_object_get_member (vcontract, "implementation"),
                                        "milestones", e.milestone_id, NULL);
    JsonNode *status = member_path (vmilestone, "status", NULL);
    guint n = json_array_get_length (json_node_get_array (status));
    JsonNode *vtransaction = member_path (json_object_get_member (vcontract, "implementation"),
                                          "transactions", e.payment_id, NULL);
    JsonNode *amount = member_path (vtransaction, "value", "amount", NULL);
    JsonNode *amendment = member_path (vcontract_node, "amendments",
                                       e.amendment_id, NULL);
    JsonNode *contract_value = member_path (vcontract_node, "value", "amount", NULL);

    g_assert_cmpstr (json_object_get_string_member (version_at (status, 0), "value"), ==, "scheduled");
    g_assert_cmpstr (json_object_get_string_member (version_at (status, n - 1), "value"), ==, "met");

    /* the payment: a transaction from its release on, amount exact */
    g_assert_nonnull (vtransaction);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (amount)), ==, 1);
    g_assert_cmpint (llround (json_object_get_double_member (version_at (amount, 0), "value") * 100), ==, e.paid);
    g_assert_null (member_path (json_array_get_element (releases, 0), "contracts", NULL) != NULL
                   ? member_path (json_array_get_element (json_node_get_array (member_path (json_array_get_element (releases, 0), "contracts", NULL)), 0),
                                  "implementation", "transactions", e.payment_id, NULL)
                   : NULL);

    /* the amendment, and the contract value before and after it */
    g_assert_nonnull (amendment);
    n = json_array_get_length (json_node_get_array (contract_value));
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpint (llround (json_object_get_double_member (version_at (contract_value, n - 1), "value") * 100)
                     - llround (json_object_get_double_member (version_at (contract_value, n - 2), "value") * 100),
                     ==, 100000);
  }

  /* the versioned release ends where the compiled one is */
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (member_path (compiled, "tag", NULL)), 0), ==, "compiled");
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *r = json_array_get_object_element (records, i);

      assert_versioned_latest (json_object_get_member (r, "compiledRelease"),
                               json_object_get_member (r, "versionedRelease"), "", TRUE, FALSE);
    }

  /* the compiled release is the release package's release (the same
   * builder); the last release says the same */
  g_assert_true (procura_ocds_export_to_file (s, ids, "ocds-t3st01", release_path, &error));
  g_assert_no_error (error);
  current = releases_by_ocid (read_package (release_path, release_parser));
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *r = json_array_get_object_element (records, i);
      JsonObject *c = json_object_get_object_member (r, "compiledRelease");
      JsonArray *rr = json_object_get_array_member (r, "releases");
      JsonObject *last = json_array_get_object_element (rr, json_array_get_length (rr) - 1);
      g_autoptr(JsonParser) p = json_parser_new ();
      JsonObject *expected;
      g_autofree char *a = NULL, *b = NULL, *l = NULL;

      g_assert_true (json_parser_load_from_data (p, g_hash_table_lookup (current, json_object_get_string_member (r, "ocid")),
                                                 -1, &error));
      expected = json_node_get_object (json_parser_get_root (p));
      json_object_remove_member (expected, "tag");
      json_object_remove_member (c, "tag");
      a = node_text (json_parser_get_root (p));
      b = node_text (json_object_get_member (r, "compiledRelease"));
      g_assert_cmpstr (a, ==, b);
      /* the replayed history reaches the current state by itself: the
       * last release is a change's ("<ocid>-<change id>"), not the
       * current state added because the replay fell short */
      g_assert_true (g_regex_match_simple ("^ocds-t3st01-.*-[0-9]+$", json_object_get_string_member (last, "id"), 0, 0));
      json_object_remove_member (last, "tag");
      json_object_set_string_member (last, "id", json_object_get_string_member (expected, "id"));
      json_object_set_string_member (last, "date", json_object_get_string_member (expected, "date"));
      l = node_text (json_array_get_element (rr, json_array_get_length (rr) - 1));
      g_assert_cmpstr (a, ==, l);
    }

  /* the validator checks the versioned release: a release id must be text */
  package = read_package (path, parser);
  record = json_array_get_object_element (json_object_get_array_member (package, "records"), 0);
  versions = member_path (json_object_get_member (record, "versionedRelease"), "tender", "title", NULL);
  json_object_set_int_member (version_at (versions, 0), "releaseID", 5);
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, bad, &error));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (validate (bad, &out), ==, 1);
  g_assert_nonnull (strstr (out, "/records/0/versionedRelease/tender/title/0/releaseID"));

  edited_clear (&e);
}

/* ---- what the history must not show, ids, states ---------------------- */

static ProcuraStore *
fresh_store (const char *name,
             guint       n_projects)
{
  g_autofree char *dir = g_build_filename (root, name, NULL);
  g_autoptr(GError) error = NULL;
  ProcuraStore *s = procura_store_open (dir, &error);

  g_assert_no_error (error);
  procura_store_set_today (s, TODAY);
  procura_store_set_actor (s, "test");
  g_assert_true (procura_demo_generate (s, n_projects, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  return s;
}

/* The n-th (from 0) active project with an agency. */
static ProcuraProjectBundle *
active_project (ProcuraStore *s,
                guint         n)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = procura_store_query_ledger (s, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (s, row->id, &error);

      g_assert_no_error (error);
      if (bundle->agency != NULL && bundle->buyer != NULL &&
          g_strcmp0 (procura_record_get_string (bundle->project, "status"), "active") == 0 && n-- == 0)
        return g_steal_pointer (&bundle);
    }
  g_assert_not_reached ();
  return NULL;
}

static char *
insert_as (ProcuraStore  *s,
           const char    *actor,
           ProcuraRecord *record)
{
  g_autoptr(GError) error = NULL;
  char *id;

  procura_store_set_actor (s, actor);
  procura_store_insert (s, record, &error);
  g_assert_no_error (error);
  id = g_strdup (procura_record_get_id (record));
  procura_record_unref (record);
  return id;
}

static char *
insert_attachment (ProcuraStore *s,
                   const char   *actor,
                   const char   *project_id,
                   const char   *name)
{
  ProcuraRecord *f = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);

  procura_record_set_string (f, "project_id", project_id);
  procura_record_set_string (f, "name", name);
  procura_record_set_string (f, "mime_type", "image/jpeg");
  procura_record_set_int (f, "size", 10);
  procura_record_set_string (f, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  procura_record_set_string (f, "doc_type", "contractAnnexe");
  return insert_as (s, actor, f);
}

/* The package's text, valid. project_id NULL: the whole store. */
static char *
export_text (ProcuraStore *s,
             gboolean      record,
             const char   *project_id,
             const char   *name)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  if (project_id != NULL)
    g_ptr_array_add (ids, (gpointer) project_id);
  if (record)
    g_assert_true (procura_ocds_record_export_to_file (s, project_id != NULL ? ids : NULL, NULL, path, &error));
  else
    g_assert_true (procura_ocds_export_to_file (s, project_id != NULL ? ids : NULL, NULL, path, &error));
  g_assert_no_error (error);
  if (validate (path, &out) != 0)
    g_error ("%s does not validate:\n%s", path, out);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* An attachment flagged as personal later, or deleted, is withdrawn from
 * the whole history of the record package, not only from the releases
 * after the flag; an organization's contact person, phone and e-mail
 * appear in no release at any time. */
static void
test_record_personal (void)
{
  g_autoptr(ProcuraStore) s = fresh_store ("personal-data", 12);
  g_autoptr(ProcuraProjectBundle) bundle = active_project (s, 0);
  g_autoptr(GError) error = NULL;
  const char *project_id = procura_record_get_id (bundle->project);
  const char *personal = "张三身份证及低保证明.jpg";
  const char *removed = "李四入户走访记录.jpg";
  const char *kept = "服务协议附件.jpg";
  const char *contact[] = { "王小五", "13800138000", "wangxiaowu@example.cn" };
  g_autofree char *personal_id = insert_attachment (s, "ocds-attach-1", project_id, personal);
  g_autofree char *removed_id = insert_attachment (s, "ocds-attach-2", project_id, removed);
  g_autofree char *kept_id = insert_attachment (s, "ocds-attach-3", project_id, kept);
  g_autofree char *before = NULL;
  ProcuraRecord *changes;

  g_assert_nonnull (kept_id);

  changes = procura_record_new (PROCURA_ENTITY_ORGANIZATION, procura_record_get_id (bundle->buyer));
  procura_record_set_string (changes, "contact_person", contact[0]);
  procura_record_set_string (changes, "contact_phone", contact[1]);
  procura_record_set_string (changes, "contact_email", contact[2]);
  update_as (s, "ocds-contact", changes);
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, project_id);
  procura_record_set_string (changes, "title", "居家养老服务项目（续签）");
  update_as (s, "ocds-title", changes);

  /* until then the history shows the files: what follows tests something */
  before = export_text (s, TRUE, project_id, "personal-before.json");
  g_assert_nonnull (strstr (before, personal));
  g_assert_nonnull (strstr (before, removed));
  g_assert_nonnull (strstr (before, kept));

  changes = procura_record_new (PROCURA_ENTITY_ATTACHMENT, personal_id);
  procura_record_set_bool (changes, "contains_personal_info", TRUE);
  update_as (s, "ocds-flag", changes);
  procura_store_set_actor (s, "ocds-delete");
  g_assert_true (procura_store_delete (s, PROCURA_ENTITY_ATTACHMENT, removed_id, &error));
  g_assert_no_error (error);
  changes = procura_record_new (PROCURA_ENTITY_ORGANIZATION, procura_record_get_id (bundle->buyer));
  procura_record_set_string (changes, "contact_person", "赵六");
  update_as (s, "ocds-contact-2", changes);

  /* the project alone (loaded by itself) and the whole store (one pass),
   * record and release packages */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("personal-after-%u.json", i);
      g_autofree char *text = export_text (s, i % 2 == 0, i < 2 ? project_id : NULL, name);

      g_assert_null (strstr (text, personal));
      g_assert_null (strstr (text, personal_id));
      g_assert_null (strstr (text, removed));
      g_assert_null (strstr (text, removed_id));
      for (guint j = 0; j < G_N_ELEMENTS (contact); j++)
        g_assert_null (strstr (text, contact[j]));
      g_assert_null (strstr (text, "赵六"));
      /* what may be published stays, its history included */
      g_assert_nonnull (strstr (text, kept));
    }
}

static JsonObject *
release_of (JsonParser *parser,
            const char *text,
            const char *ocid)
{
  g_autoptr(GError) error = NULL;
  JsonArray *releases;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  releases = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "releases");
  for (guint i = 0; i < json_array_get_length (releases); i++)
    {
      JsonObject *release = json_array_get_object_element (releases, i);

      if (g_strcmp0 (json_object_get_string_member (release, "ocid"), ocid) == 0)
        return release;
    }
  g_assert_not_reached ();
  return NULL;
}

/* The last release of a record. */
static JsonObject *
last_release_of (JsonParser *parser,
                 const char *text,
                 const char *ocid)
{
  g_autoptr(GError) error = NULL;
  JsonArray *records;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  records = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "records");
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonArray *releases = json_object_get_array_member (record, "releases");

      if (g_strcmp0 (json_object_get_string_member (record, "ocid"), ocid) == 0)
        return json_array_get_object_element (releases, json_array_get_length (releases) - 1);
    }
  g_assert_not_reached ();
  return NULL;
}

static gint64
contract_fen (JsonObject *release)
{
  JsonObject *contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);

  return llround (json_object_get_double_member (json_object_get_object_member (contract, "value"), "amount") * 100);
}

/* A release package's release is named after the last change of the
 * project or anything under it, a deletion too, as the record package's
 * last release is; it keeps its id while nothing is written. */
static void
test_release_ids (void)
{
  g_autoptr(ProcuraStore) s = fresh_store ("release-ids", 12);
  g_autoptr(ProcuraProjectBundle) bundle = active_project (s, 0);
  g_autoptr(GError) error = NULL;
  const char *project_id = procura_record_get_id (bundle->project);
  g_autofree char *ocid = g_strconcat (PROCURA_OCDS_DEFAULT_PREFIX "-",
                                       procura_record_get_string (bundle->project, "code"), NULL);
  g_autofree char *id_re = g_strdup_printf ("^%s-[0-9]+$", ocid);
  g_autofree char *amendment_id = NULL;
  g_autofree char *id1 = NULL, *date1 = NULL;
  gint64 fen1;
  ProcuraRecord *amendment;

  amendment = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);
  procura_record_set_string (amendment, "project_id", project_id);
  procura_record_set_string (amendment, "date", TODAY);
  procura_record_set_string (amendment, "rationale", "服务对象减少，核减服务内容");
  procura_record_set_int (amendment, "value_delta", -50000);
  amendment_id = insert_as (s, "ocds-amend", amendment);

  {
    g_autofree char *one = export_text (s, FALSE, project_id, "ids-1.json");
    g_autofree char *again = export_text (s, FALSE, project_id, "ids-1b.json");
    g_autofree char *all = export_text (s, FALSE, NULL, "ids-1c.json");
    g_autofree char *record = export_text (s, TRUE, project_id, "ids-1r.json");
    g_autoptr(JsonParser) p1 = json_parser_new ();
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_autoptr(JsonParser) p3 = json_parser_new ();
    g_autoptr(JsonParser) p4 = json_parser_new ();
    JsonObject *release = release_of (p1, one, ocid);
    JsonObject *last = last_release_of (p4, record, ocid);

    id1 = g_strdup (json_object_get_string_member (release, "id"));
    date1 = g_strdup (json_object_get_string_member (release, "date"));
    fen1 = contract_fen (release);
    g_assert_true (g_regex_match_simple (id_re, id1, 0, 0));
    /* stable while nothing changes, whichever way the project is loaded */
    g_assert_cmpstr (json_object_get_string_member (release_of (p2, again, ocid), "id"), ==, id1);
    g_assert_cmpstr (json_object_get_string_member (release_of (p3, all, ocid), "id"), ==, id1);
    g_assert_cmpstr (json_object_get_string_member (release_of (p3, all, ocid), "date"), ==, date1);
    /* and the record package's last release is this one */
    g_assert_cmpstr (json_object_get_string_member (last, "id"), ==, id1);
    g_assert_cmpstr (json_object_get_string_member (last, "date"), ==, date1);
  }

  /* the amendment deleted: the value changes, and so must the id */
  procura_store_set_actor (s, "ocds-undo");
  g_assert_true (procura_store_delete (s, PROCURA_ENTITY_AMENDMENT, amendment_id, &error));
  g_assert_no_error (error);
  {
    g_autofree char *one = export_text (s, FALSE, project_id, "ids-2.json");
    g_autofree char *all = export_text (s, FALSE, NULL, "ids-2c.json");
    g_autofree char *record = export_text (s, TRUE, NULL, "ids-2r.json");
    g_autoptr(JsonParser) p1 = json_parser_new ();
    g_autoptr(JsonParser) p3 = json_parser_new ();
    g_autoptr(JsonParser) p4 = json_parser_new ();
    JsonObject *release = release_of (p1, one, ocid);
    JsonObject *last = last_release_of (p4, record, ocid);
    const char *id2 = json_object_get_string_member (release, "id");

    g_assert_cmpint (contract_fen (release), ==, fen1 + 50000);
    g_assert_true (g_regex_match_simple (id_re, id2, 0, 0));
    g_assert_cmpstr (id2, !=, id1);
    g_assert_cmpstr (json_object_get_string_member (release, "date"), >=, date1);
    g_assert_cmpstr (json_object_get_string_member (release_of (p3, all, ocid), "id"), ==, id2);
    g_assert_cmpstr (json_object_get_string_member (last, "id"), ==, id2);
    g_assert_cmpstr (json_object_get_string_member (last, "date"), ==, json_object_get_string_member (release, "date"));
    g_assert_cmpint (contract_fen (last), ==, fen1 + 50000);
  }
}

static JsonObject *
tender_of (JsonObject *release)
{
  return json_object_get_object_member (release, "tender");
}

static gboolean
has_tag (JsonObject *release,
         const char *tag)
{
  JsonArray *tags = json_object_get_array_member (release, "tag");

  for (guint i = 0; i < json_array_get_length (tags); i++)
    if (g_strcmp0 (json_array_get_string_element (tags, i), tag) == 0)
      return TRUE;
  return FALSE;
}

static char *
add_project (ProcuraStore *s,
             const char   *code,
             gint64        value)
{
  ProcuraRecord *project = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);

  procura_record_set_string (project, "code", code);
  procura_record_set_string (project, "title", "社区助餐服务项目");
  procura_record_set_string (project, "category", "elderly");
  procura_record_set_string (project, "method", "open_tender");
  procura_record_set_string (project, "status", "draft");
  if (value >= 0)
    procura_record_set_int (project, "value", value);
  return insert_as (s, "ocds-states", project);
}

/* A contract number corrected after the contract was entered does not make
 * the contract of the earlier releases another contract: the record's
 * releases all name the award and the contract as the current release
 * does, the versioned release holds one contract whose awardID never
 * becomes null, and the package validates. */
static void
test_record_contract_number (void)
{
  g_autoptr(ProcuraStore) s = fresh_store ("contract-number", 6);
  g_autoptr(ProcuraProjectBundle) bundle = active_project (s, 0);
  const char *project_id = procura_record_get_id (bundle->project);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *record;
  JsonArray *releases, *vcontracts;
  ProcuraRecord *changes;

  changes = procura_record_new (PROCURA_ENTITY_PROJECT, project_id);
  procura_record_set_string (changes, "contract_no", "测购〔2026〕101号");
  update_as (s, "ocds-contract-number", changes);
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, project_id);
  procura_record_set_string (changes, "title", "社区助餐与送餐服务项目");
  update_as (s, "ocds-contract-title", changes);

  /* validated inside */
  text = export_text (s, TRUE, project_id, "contract-number-record.json");
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  record = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                                        "records"), 0);
  releases = json_object_get_array_member (record, "releases");
  g_assert_cmpuint (json_array_get_length (releases), >=, 2);
  for (guint i = 0; i < json_array_get_length (releases); i++)
    {
      JsonObject *release = json_array_get_object_element (releases, i);
      JsonObject *contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);

      g_assert_cmpstr (json_object_get_string_member (contract, "id"), ==, "测购〔2026〕101号");
    }
  vcontracts = json_object_get_array_member (json_object_get_object_member (record, "versionedRelease"), "contracts");
  g_assert_cmpuint (json_array_get_length (vcontracts), ==, 1);
}

/* Each project status shows: tender.status from the closed tenderStatus
 * codelist, a draft's expected value, a cancellation without an agency,
 * a termination, an amendment that lowers the value; all valid. */
static void
test_states (void)
{
  g_autoptr(ProcuraStore) s = fresh_store ("states", 12);
  g_autoptr(ProcuraProjectBundle) terminated = active_project (s, 0);
  g_autoptr(ProcuraProjectBundle) amended = active_project (s, 1);
  g_autofree char *draft_id = add_project (s, "ZZ-2026-0001", 12345600);
  g_autofree char *cancelled_id = add_project (s, "ZZ-2026-0002", -1);
  g_autofree char *text = NULL;
  g_autofree char *record_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) record_parser = json_parser_new ();
  g_autofree char *amended_ocid = g_strconcat (PROCURA_OCDS_DEFAULT_PREFIX "-",
                                               procura_record_get_string (amended->project, "code"), NULL);
  g_autofree char *terminated_ocid = g_strconcat (PROCURA_OCDS_DEFAULT_PREFIX "-",
                                                  procura_record_get_string (terminated->project, "code"), NULL);
  gint64 value = procura_record_get_int (amended->project, "value", 0);
  JsonObject *release, *contract, *award;
  ProcuraRecord *changes;

  g_assert_nonnull (draft_id);
  for (guint i = 0; i < amended->amendments->len; i++)
    value += procura_record_get_int (g_ptr_array_index (amended->amendments, i), "value_delta", 0);

  changes = procura_record_new (PROCURA_ENTITY_PROJECT, cancelled_id);
  procura_record_set_string (changes, "status", "cancelled");
  update_as (s, "ocds-cancel", changes);
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, procura_record_get_id (terminated->project));
  procura_record_set_string (changes, "status", "terminated");
  update_as (s, "ocds-terminate", changes);
  changes = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);
  procura_record_set_string (changes, "project_id", procura_record_get_id (amended->project));
  procura_record_set_string (changes, "date", TODAY);
  procura_record_set_string (changes, "rationale", "服务对象减少，核减服务内容");
  procura_record_set_int (changes, "value_delta", -123400);
  g_free (insert_as (s, "ocds-lower", changes));

  text = export_text (s, FALSE, NULL, "states.json");
  record_text = export_text (s, TRUE, NULL, "states-record.json");

  /* a draft: what is known so far */
  release = release_of (parser, text, PROCURA_OCDS_DEFAULT_PREFIX "-ZZ-2026-0001");
  g_assert_cmpstr (json_object_get_string_member_with_default (tender_of (release), "status", NULL), ==, "planning");
  assert_value (tender_of (release), "value", 12345600);
  g_assert_false (json_object_has_member (release, "contracts"));

  /* cancelled before any agency was chosen */
  release = release_of (parser, text, PROCURA_OCDS_DEFAULT_PREFIX "-ZZ-2026-0002");
  g_assert_cmpstr (json_object_get_string_member_with_default (tender_of (release), "status", NULL), ==, "cancelled");
  g_assert_true (has_tag (release, "tenderCancellation"));
  release = last_release_of (record_parser, record_text, PROCURA_OCDS_DEFAULT_PREFIX "-ZZ-2026-0002");
  g_assert_cmpstr (json_object_get_string_member_with_default (tender_of (release), "status", NULL), ==, "cancelled");

  /* terminated early */
  release = release_of (parser, text, terminated_ocid);
  contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);
  g_assert_cmpstr (json_object_get_string_member_with_default (tender_of (release), "status", NULL), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (contract, "status"), ==, "terminated");
  g_assert_true (has_tag (release, "contractTermination"));

  /* running, its value lowered: the award keeps the signed value */
  release = release_of (parser, text, amended_ocid);
  contract = json_array_get_object_element (json_object_get_array_member (release, "contracts"), 0);
  award = json_array_get_object_element (json_object_get_array_member (release, "awards"), 0);
  g_assert_cmpstr (json_object_get_string_member_with_default (tender_of (release), "status", NULL), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (award, "status"), ==, "active");
  g_assert_cmpstr (json_object_get_string_member (contract, "status"), ==, "active");
  assert_value (contract, "value", value - 123400);
  assert_value (award, "value", procura_record_get_int (amended->project, "value", 0));
  g_assert_false (json_object_has_member (tender_of (release), "value"));
}

/* procura-cli export --format ocds-record --ocid-prefix; a bad prefix is
 * refused, naming the option. */
static void
test_cli_record (void)
{
  g_autofree char *path = g_build_filename (root, "cli-record.json", NULL);
  g_autofree char *bad_path = g_build_filename (root, "cli-bad.json", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (store, NULL, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) env = procura_test_cli_environ ();
  ProcuraLedgerRow *row = g_ptr_array_index (rows, 2);
  g_autofree char *ocid = g_strconcat ("ocds-zz9cli-", row->code, NULL);
  const char *argv[] = { g_getenv ("PROCURA_CLI"), "--data-dir", data_dir, "export", "--format", "ocds-record",
                         "--ocid-prefix", "ocds-zz9cli", "-o", path, row->code, NULL };
  const char *bad_prefixes[] = { "ocds procura", "ocds/abc", "", "前缀" };
  JsonArray *records;
  JsonObject *record;

  g_assert_cmpint (procura_test_run (env, NULL, NULL, NULL, argv), ==, 0);
  g_assert_cmpint (validate (path, &out), ==, 0);
  records = json_object_get_array_member (read_package (path, parser), "records");
  g_assert_cmpuint (json_array_get_length (records), ==, 1);
  record = json_array_get_object_element (records, 0);
  g_assert_cmpstr (json_object_get_string_member (record, "ocid"), ==, ocid);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (record, "compiledRelease"), "ocid"),
                   ==, ocid);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (
                                     json_object_get_array_member (record, "releases"), 0), "id"), ocid));

  /* the release package takes the prefix too */
  argv[5] = "ocds";
  g_assert_cmpint (procura_test_run (env, NULL, NULL, NULL, argv), ==, 0);
  g_clear_object (&parser);
  parser = json_parser_new ();
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (read_package (path, parser), "releases"), 0), "ocid"), ==, ocid);

  for (guint i = 0; i < G_N_ELEMENTS (bad_prefixes); i++)
    {
      argv[7] = bad_prefixes[i];
      argv[9] = bad_path;
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (procura_test_run (env, NULL, NULL, &err, argv), ==, 1);
      g_assert_nonnull (strstr (err, "--ocid-prefix"));
      g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));
    }
  g_assert_false (procura_ocds_check_prefix ("a b", NULL));
  g_assert_true (procura_ocds_check_prefix ("ocds-a1b2c3", NULL));
}

/* Without --ocid-prefix the CLI takes the preference (org.procura.Procura
 * ocds-ocid-prefix, here from a keyfile backend), and refuses a bad one. */
static void
test_cli_preference (void)
{
  g_autofree char *schemas = g_test_build_filename (G_TEST_BUILT, "..", "data", NULL);
  g_autofree char *compiled = g_build_filename (schemas, "gschemas.compiled", NULL);
  g_autofree char *config = g_build_filename (root, "config", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *path = g_build_filename (root, "cli-preference.json", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (store, NULL, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) env = procura_test_cli_environ ();
  ProcuraLedgerRow *row = g_ptr_array_index (rows, 1);
  g_autofree char *ocid = g_strconcat ("ocds-kf0001-", row->code, NULL);
  const char *argv[] = { g_getenv ("PROCURA_CLI"), "--data-dir", data_dir, "export", "--format", "ocds",
                         "-o", path, row->code, NULL };

  if (!g_file_test (compiled, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the settings schemas are not compiled in this build");
      return;
    }

  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (settings_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (keyfile, "[org/procura/Procura]\nocds-ocid-prefix='ocds-kf0001'\n", -1, NULL));

  g_assert_cmpint (procura_test_run (env, NULL, NULL, NULL, argv), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (read_package (path, parser), "releases"), 0), "ocid"), ==, ocid);

  /* a bad preference is refused, naming it and the option */
  g_assert_true (g_file_set_contents (keyfile, "[org/procura/Procura]\nocds-ocid-prefix='ocds kf'\n", -1, NULL));
  g_assert_cmpint (procura_test_run (env, NULL, NULL, &err, argv), ==, 1);
  g_assert_nonnull (strstr (err, "ocds kf"));
  g_assert_nonnull (strstr (err, "--ocid-prefix"));
}

static const char *skip_reason;

static void
test_skipped (void)
{
  g_test_skip (skip_reason);
}

static int
run_skipped (const char *reason)
{
  skip_reason = reason;
  g_test_add_func ("/ocds/skipped", test_skipped);
  return g_test_run ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *probe_out = NULL;
  const char *probe[] = { NULL, "-c", "import jsonschema", NULL };
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* Debian's interpreter (and its python3-jsonschema) before any other */
  python = g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE)
           ? g_strdup ("/usr/bin/python3") : g_find_program_in_path ("python3");
  script = g_test_build_filename (G_TEST_DIST, "ocds-validate.py", NULL);
  /* the official schema and the extensions used, kept with the tests so
   * that a clone validates offline wherever it lies */
  schema_dir = g_test_build_filename (G_TEST_DIST, "fixtures", "ocds", "1.1.5", NULL);
  if (python == NULL)
    {
      return run_skipped ("python3 is not installed");
    }
  probe[0] = python;
  status = procura_test_run (NULL, NULL, &probe_out, NULL, probe);
  if (status != 0)
    {
      return run_skipped ("python3-jsonschema is not installed");
    }
  if (!g_file_test (schema_dir, G_FILE_TEST_IS_DIR))
    {
      return run_skipped ("tests/fixtures/ocds/1.1.5 (the OCDS schema) is not there");
    }

  root = g_dir_make_tmp ("procura-test-ocds-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (root, "data", NULL);
  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, TODAY);
  procura_store_set_actor (store, "test");
  g_assert_true (procura_demo_generate (store, N_PROJECTS, 5, NULL, NULL, &error));
  g_assert_no_error (error);

  big_dir = g_build_filename (root, "big", NULL);
  big_store = procura_store_open (big_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (big_store, TODAY);
  procura_store_set_actor (big_store, "test");
  g_assert_true (procura_demo_generate (big_store, N_BIG, 3, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/ocds/package", test_package);
  g_test_add_func ("/ocds/invalid", test_invalid);
  g_test_add_func ("/ocds/cli", test_cli);
  g_test_add_func ("/ocds/demo-2000", test_big);
  g_test_add_func ("/ocds/loaders", test_loaders);
  g_test_add_func ("/ocds/record", test_record);
  g_test_add_func ("/ocds/cli-record", test_cli_record);
  g_test_add_func ("/ocds/record-personal", test_record_personal);
  g_test_add_func ("/ocds/release-ids", test_release_ids);
  g_test_add_func ("/ocds/states", test_states);
  g_test_add_func ("/ocds/record-contract-number", test_record_contract_number);
  g_test_add_func ("/ocds/cli-preference", test_cli_preference);

  status = g_test_run ();

  g_clear_object (&store);
  g_clear_object (&big_store);
  g_free (big_dir);
  procura_test_remove_tree (root);
  g_free (root);
  g_free (data_dir);
  g_free (python);
  g_free (script);
  g_free (schema_dir);
  return status;
}
