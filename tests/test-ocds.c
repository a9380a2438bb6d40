/* test-ocds.c — the OCDS 1.1.5 release package export
 *
 * Exports a demo store and runs tests/ocds-validate.py (Debian's
 * python3-jsonschema, the release schema and the extensions from
 * tests/fixtures/ocds/1.1.5, no network) over it; then reads the package back
 * and checks it against the store: the ocid prefix, CN-USCI identifiers,
 * every CNY amount equal to the store's 分 exactly and written with two
 * decimals, milestones, transactions and indicator actuals one for one. A package with a
 * wrong currency type must fail the validator, so a validator that
 * accepts anything cannot pass. Skips when python3 or jsonschema is
 * missing.
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
#define TODAY      "2026-11-27"

static char *root;
static char *data_dir;
static char *python;
static char *script;
static char *schema_dir;
static ProcuraStore *store;

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

      g_assert_true (g_regex_match_simple ("^[0-9]+\\.[0-9][0-9]$", number, 0, 0));
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

  g_test_add_func ("/ocds/package", test_package);
  g_test_add_func ("/ocds/invalid", test_invalid);
  g_test_add_func ("/ocds/cli", test_cli);

  status = g_test_run ();

  g_clear_object (&store);
  procura_test_remove_tree (root);
  g_free (root);
  g_free (data_dir);
  g_free (python);
  g_free (script);
  g_free (schema_dir);
  return status;
}
