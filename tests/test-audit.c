/* test-audit.c — the audit chain's verifier, shared by server and app
 *
 * A chain built here as the server builds it (canonical form, hashes),
 * then damaged in each of the four ways docs/PROTOCOL.md names; the
 * verifier must name the right entry and the right damage. The same
 * verifier runs inside `procura-server audit verify` (tests/test-server.c
 * tampers with a real server's database).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "procura-audit.h"

#define N_ENTRIES 60

static char *
hex (const guint8 *data)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < 32; i++)
    g_string_append_printf (out, "%02x", data[i]);

  return g_string_free (out, FALSE);
}

static ProcuraAuditItem *
item_new (gint64 seq)
{
  ProcuraAuditItem *item = g_new0 (ProcuraAuditItem, 1);

  item->seq = seq;
  item->at = g_strdup_printf ("2026-11-27T06:%02d:%02dZ", (int) (seq / 60) % 60, (int) seq % 60);
  item->actor = g_strdup (seq % 3 == 0 ? "officer1" : "agency1");
  item->action = g_strdup (seq % 5 == 0 ? "login" : "update");
  item->entity = seq % 5 == 0 ? NULL : g_strdup ("report");
  item->id = seq % 5 == 0 ? NULL : g_strdup_printf ("0190%08" G_GINT64_MODIFIER "x", seq);
  item->status = g_strdup (seq % 5 == 0 ? "ok" : "applied");
  /* quotes, backslashes, control characters and Chinese in the text */
  item->detail = g_strdup_printf ("fields: title, \"narrative\"\\n\t第%" G_GINT64_FORMAT "条", seq);

  return item;
}

/* The chain as the server appends it. */
static GPtrArray *
chain_new (void)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_audit_item_free);
  g_autoptr(GString) scratch = g_string_new (NULL);
  guint8 prev[32] = { 0 };

  for (gint64 seq = 1; seq <= N_ENTRIES; seq++)
    {
      ProcuraAuditItem *item = item_new (seq);
      ProcuraAuditEntry e = { item->seq, item->at, item->actor, item->action, item->entity,
                              item->id, item->mutation_id, item->status, item->detail };
      guint8 hash[32];

      procura_audit_hash (prev, &e, scratch, hash);
      item->hash = hex (hash);
      memcpy (prev, hash, 32);
      g_ptr_array_add (items, item);
    }

  return items;
}

static void
test_canonical (void)
{
  ProcuraAuditEntry e = { 3, "2026-11-27T06:00:00Z", "officer1", "update", "project", "0190",
                          NULL, "applied", "a \"b\" \\ /\n中" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) scratch = g_string_new (NULL);
  guint8 zero[32] = { 0 };
  guint8 hash[32];
  g_autofree char *expected_hash = NULL;
  g_autofree char *got = NULL;
  GChecksum *checksum;

  procura_audit_canonical (out, &e);
  /* PROTOCOL.md: fixed order, no whitespace, only ", \ and control
   * characters escaped */
  g_assert_cmpstr (out->str, ==,
                   "{\"seq\":3,\"at\":\"2026-11-27T06:00:00Z\",\"actor\":\"officer1\",\"action\":\"update\","
                   "\"entity\":\"project\",\"id\":\"0190\",\"mutation_id\":null,\"status\":\"applied\","
                   "\"detail\":\"a \\\"b\\\" \\\\ /\\u000a中\"}");

  /* hash = SHA-256 (0x00 ‖ prev ‖ canonical) */
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) "\0", 1);
  g_checksum_update (checksum, zero, 32);
  g_checksum_update (checksum, (const guchar *) out->str, out->len);
  expected_hash = g_strdup (g_checksum_get_string (checksum));
  g_checksum_free (checksum);

  procura_audit_hash (zero, &e, scratch, hash);
  got = hex (hash);
  g_assert_cmpstr (got, ==, expected_hash);
}

static void
assert_verdict (GPtrArray           *items,
                ProcuraAuditProblem  problem,
                gint64               bad_seq,
                const char          *sentence)
{
  ProcuraAuditReport report;
  g_autofree char *text = NULL;

  procura_audit_verify_items (items, &report);
  text = procura_audit_report_describe (&report);
  if (report.problem != problem || report.bad_seq != bad_seq)
    g_error ("expected %s of %" G_GINT64_FORMAT ", got %s of %" G_GINT64_FORMAT " (%s)",
             procura_audit_problem_to_string (problem), bad_seq,
             procura_audit_problem_to_string (report.problem), report.bad_seq, text);
  g_assert_cmpstr (text, ==, sentence);
}

static void
test_intact (void)
{
  g_autoptr(GPtrArray) items = chain_new ();
  ProcuraAuditReport report;

  assert_verdict (items, PROCURA_AUDIT_OK, 0, "The log is intact: 60 entries");
  procura_audit_verify_items (items, &report);
  g_assert_cmpint (report.n_entries, ==, N_ENTRIES);
  g_assert_cmpint (report.position, ==, 0);

  /* an empty log is intact too */
  g_ptr_array_set_size (items, 0);
  assert_verdict (items, PROCURA_AUDIT_OK, 0, "The log is intact: 0 entries");
}

static void
test_altered (void)
{
  g_autoptr(GPtrArray) items = chain_new ();
  ProcuraAuditItem *seven = g_ptr_array_index (items, 6);
  ProcuraAuditReport report;

  g_free (seven->detail);
  seven->detail = g_strdup ("nothing happened");
  assert_verdict (items, PROCURA_AUDIT_ALTERED, 7, "Entry 7 was altered");
  procura_audit_verify_items (items, &report);
  g_assert_cmpint (report.n_entries, ==, 6);
  g_assert_cmpint (report.position, ==, 7);

  /* a missing or malformed hash is no proof either */
  {
    g_autoptr(GPtrArray) other = chain_new ();
    ProcuraAuditItem *nine = g_ptr_array_index (other, 8);

    g_clear_pointer (&nine->hash, g_free);
    assert_verdict (other, PROCURA_AUDIT_ALTERED, 9, "Entry 9 was altered");
  }

  /* altering the last entry shows too */
  {
    g_autoptr(GPtrArray) other = chain_new ();
    ProcuraAuditItem *last = g_ptr_array_index (other, N_ENTRIES - 1);

    g_free (last->actor);
    last->actor = g_strdup ("someone else");
    assert_verdict (other, PROCURA_AUDIT_ALTERED, N_ENTRIES, "Entry 60 was altered");
  }
}

static void
test_removed (void)
{
  g_autoptr(GPtrArray) items = chain_new ();

  g_ptr_array_remove_index (items, 11);
  assert_verdict (items, PROCURA_AUDIT_REMOVED, 12,
                  "An entry was removed before entry 13 (entry 12 is missing)");
}

static void
test_reordered (void)
{
  g_autoptr(GPtrArray) items = chain_new ();
  gpointer tmp;

  /* the whole contents of two entries swapped, numbers included */
  tmp = items->pdata[19];
  items->pdata[19] = items->pdata[24];
  items->pdata[24] = tmp;
  assert_verdict (items, PROCURA_AUDIT_REORDERED, 25, "Entry 25 is out of order");

  /* one moved back: the first entry out of place is named */
  {
    g_autoptr(GPtrArray) other = chain_new ();
    gpointer moved = g_ptr_array_steal_index (other, 40);

    g_ptr_array_insert (other, 10, moved);
    assert_verdict (other, PROCURA_AUDIT_REORDERED, 41, "Entry 41 is out of order");
  }
}

static void
test_inserted (void)
{
  g_autoptr(GPtrArray) items = chain_new ();
  ProcuraAuditItem *forged = item_new (31);
  ProcuraAuditItem *real = g_ptr_array_index (items, 30);

  /* a forged entry slipped in after entry 30, with entry 31's number and
   * hash */
  g_free (forged->actor);
  forged->actor = g_strdup ("intruder");
  forged->hash = g_strdup (real->hash);
  g_ptr_array_insert (items, 30, forged);
  assert_verdict (items, PROCURA_AUDIT_INSERTED, 31, "An entry was inserted as entry 31");

  /* the same number again after the real one */
  {
    g_autoptr(GPtrArray) other = chain_new ();
    ProcuraAuditItem *again = item_new (20);

    again->hash = g_strdup (((ProcuraAuditItem *) g_ptr_array_index (other, 19))->hash);
    g_ptr_array_insert (other, 20, again);
    assert_verdict (other, PROCURA_AUDIT_INSERTED, 20, "An entry was inserted as entry 20");
  }
}

static void
test_parse_page (void)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_audit_item_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;
  gboolean more = FALSE;
  const char *page =
    "{\"entries\":[{\"seq\":1,\"at\":\"2026-11-27T06:00:00Z\",\"actor\":null,\"action\":\"login\","
    "\"entity\":null,\"id\":null,\"mutation_id\":null,\"status\":\"failed\",\"detail\":null,"
    "\"hash\":\"00\"}],\"next\":\"1\",\"has_more\":true}";
  const char *bad = "{\"entries\":[{\"seq\":\"1\"}],\"next\":\"1\",\"has_more\":false}";
  const char *bad_actor = "{\"entries\":[{\"seq\":1,\"actor\":3}],\"next\":\"1\",\"has_more\":false}";

  g_assert_true (procura_audit_parse_page (page, strlen (page), items, &next, &more, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (next, ==, "1");
  g_assert_true (more);
  g_assert_null (((ProcuraAuditItem *) items->pdata[0])->actor);
  g_assert_cmpstr (((ProcuraAuditItem *) items->pdata[0])->status, ==, "failed");

  g_clear_pointer (&next, g_free);
  g_assert_false (procura_audit_parse_page (bad, strlen (bad), items, &next, &more, &error));
  g_assert_nonnull (strstr (error->message, "entries[0].seq"));
  g_clear_error (&error);
  g_assert_false (procura_audit_parse_page (bad_actor, strlen (bad_actor), items, &next, &more, &error));
  g_assert_nonnull (strstr (error->message, "entries[0].actor"));
  g_clear_error (&error);
  g_assert_false (procura_audit_parse_page ("[]", 2, items, &next, &more, &error));
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audit/canonical", test_canonical);
  g_test_add_func ("/audit/intact", test_intact);
  g_test_add_func ("/audit/altered", test_altered);
  g_test_add_func ("/audit/removed", test_removed);
  g_test_add_func ("/audit/reordered", test_reordered);
  g_test_add_func ("/audit/inserted", test_inserted);
  g_test_add_func ("/audit/parse-page", test_parse_page);

  return g_test_run ();
}
