/* test-audit-window.c — the audit window against a real procura-server
 *
 * Runs under a display (xvfb-run) with $PROCURA_SERVER. Starts the server
 * on 127.0.0.1 with a random port and a temporary data directory, makes
 * accounts, logs in over HTTP (an auditor's account.json as the app keeps
 * it), and opens ProcuraAuditWindow: it must show every entry and say the
 * log is intact. Then the server's database is tampered with behind its
 * back — an entry moved, an entry altered, an entry deleted, each earlier
 * in the log than the last — and the window must name each one. Also: no
 * account (the log is on the server), an agency account (403).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "procura-account.h"
#include "procura-audit-window.h"
#include "procura-json.h"
#include "procura-test-utils.h"

#define PASSWORD "correct horse battery"

static struct
{
  const char        *binary;
  char              *dir;
  ProcuraTestServer *running;
  char              *agency_uscc;
} server;

/* POST /v1/session; with a good password writes the account.json the app
 * would keep into client_dir. */
static void
login (const char *name,
       const char *password,
       const char *client_dir)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autofree char *url = g_strconcat (server.running->url, "v1/session", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", name, password);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  ProcuraAccount account = { 0 };

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (client_dir == NULL)
    {
      g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
      return;
    }
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL));
  object = json_node_get_object (json_parser_get_root (parser));

  account.server = server.running->url;
  account.username = (char *) name;
  account.role = (char *) json_object_get_string_member (object, "role");
  account.organization = (char *) json_object_get_string_member_with_default (object, "organization", NULL);
  account.token = (char *) json_object_get_string_member (object, "token");
  account.expires_at = (char *) json_object_get_string_member (object, "expires_at");
  g_assert_true (procura_account_save (client_dir, &account, &error));
  g_assert_no_error (error);
}

/* Failed logins of one name: after five the server answers 429 without
 * checking the password, and logs each: a log longer than one page
 * (1000) quickly. */
#define N_FLOOD 1100

static void
flood_logins (const char *name)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autofree char *url = g_strconcat (server.running->url, "v1/session", NULL);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"wrong\"}", name);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));

  for (guint i = 0; i < N_FLOOD; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) answer = NULL;
      g_autoptr(GError) error = NULL;

      soup_message_set_request_body_from_bytes (msg, "application/json", request);
      answer = soup_session_send_and_read (session, msg, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (soup_message_get_status (msg) == 401 || soup_message_get_status (msg) == 429);
    }
}

static void
tamper (const char *sql)
{
  g_autofree char *path = g_build_filename (server.dir, "procura.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

/* ---- the fetch, without the window ------------------------------------- */

typedef struct
{
  GAsyncResult *result;
  gint64        last_progress;
  guint         n_progress;
  GThread      *main_thread;
  gint          n_other_thread;
} FetchWait;

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static void
fetch_progress_cb (gint64   n_read,
                   gpointer target)
{
  FetchWait *wait = g_object_get_data (target, "wait");

  /* counted, not asserted: an assertion here could fail in a worker */
  if (g_thread_self () != wait->main_thread)
    g_atomic_int_inc (&wait->n_other_thread);
  g_assert_cmpint (n_read, >, wait->last_progress);
  wait->last_progress = n_read;
  wait->n_progress++;
}

/* Only the latest entries are kept, every one is verified. */
static void
assert_fetch_keeps_latest (const char *client_dir,
                           gint64      n_entries)
{
  g_autoptr(GObject) target = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  FetchWait wait = { 0 };
  ProcuraAuditReport report;
  gint64 n_read = 0;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_object_set_data (target, "wait", &wait);
  wait.main_thread = g_thread_self ();
  procura_audit_fetch_async (client_dir, 3, fetch_progress_cb, target, NULL, fetch_cb, &wait);
  /* The main context is free while this thread is busy elsewhere (as in
   * gtk_window_present()); the progress must still wait for this thread
   * to iterate, not run in the worker. A bounded pause without iterating
   * lets the worker read both pages. */
  for (guint i = 0; i < 150 && g_atomic_int_get (&wait.n_other_thread) == 0; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&wait.n_other_thread), ==, 0);
  while (wait.result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_nonnull (wait.result);

  items = procura_audit_fetch_finish (wait.result, &report, &n_read, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_read, ==, n_entries);
  g_assert_cmpint (report.problem, ==, PROCURA_AUDIT_OK);
  g_assert_cmpint (report.n_entries, ==, n_entries);
  g_assert_cmpuint (items->len, ==, 3);
  g_assert_cmpint (((ProcuraAuditItem *) items->pdata[2])->seq, ==, n_entries);
  g_assert_cmpint (((ProcuraAuditItem *) items->pdata[0])->seq, ==, n_entries - 2);
  /* two pages: reported after each */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_cmpuint (wait.n_progress, ==, 2);
  g_assert_cmpint (g_atomic_int_get (&wait.n_other_thread), ==, 0);
  g_assert_cmpint (wait.last_progress, ==, n_entries);
  g_object_unref (wait.result);
}

/* ---- the account without a session bus ---------------------------------- */

/* Under X11 with neither $DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR/bus
 * (this test's own setting under xvfb-run), asking GLib for the session
 * bus address runs "dbus-launch --autolaunch": a bus daemon started per
 * account save, left running, and D-Bus traffic on worker threads in the
 * middle of a login. The account must go to account.json without any of
 * it: a dbus-launch of our own on $PATH says whether it was run. */
static void
test_account_no_autolaunch (void)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-audit-nobus-XXXXXX");
  g_autofree char *bin = g_build_filename (dir, "bin", NULL);
  g_autofree char *runtime = g_build_filename (dir, "run", NULL);
  g_autofree char *data = g_build_filename (dir, "data", NULL);
  g_autofree char *fake = g_build_filename (bin, "dbus-launch", NULL);
  g_autofree char *marker = g_build_filename (dir, "dbus-launch-ran", NULL);
  g_autofree char *script = g_strdup_printf ("#!/bin/sh\ntouch '%s'\nexit 1\n", marker);
  g_autofree char *path = g_strconcat (bin, ":", g_getenv ("PATH"), NULL);
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autofree char *old_bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_autofree char *old_runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_autofree char *old_no_keyring = g_strdup (g_getenv ("PROCURA_NO_KEYRING"));
  g_autoptr(ProcuraAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraAccount account = {
    (char *) "http://127.0.0.1:9/", (char *) "officer1", (char *) "officer", NULL,
    (char *) "0123456789abcdef", (char *) "2026-12-27T08:00:00Z",
  };

  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fake, script, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fake, 0700), ==, 0);

  g_setenv ("PATH", path, TRUE);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("PROCURA_NO_KEYRING");

  g_assert_true (procura_account_save (data, &account, &error));
  g_assert_no_error (error);
  loaded = procura_account_load (data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->token, ==, account.token);

  /* restored before any assertion that could end the test */
  g_setenv ("PATH", old_path, TRUE);
  if (old_bus != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", old_bus, TRUE);
  if (old_runtime != NULL)
    g_setenv ("XDG_RUNTIME_DIR", old_runtime, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
  if (old_no_keyring != NULL)
    g_setenv ("PROCURA_NO_KEYRING", old_no_keyring, TRUE);

  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    g_error ("saving the account ran dbus-launch (a session bus autolaunched)");
  procura_test_remove_tree (dir);
}

/* ---- the window ------------------------------------------------------- */

static void
wait_loaded (ProcuraAuditWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (procura_audit_window_get_loading (window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_false (procura_audit_window_get_loading (window));
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static ProcuraAuditWindow *
open_window (const char *client_dir)
{
  ProcuraAuditWindow *window = procura_audit_window_new (NULL, client_dir);

  gtk_window_present (GTK_WINDOW (window));
  wait_loaded (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

static void
assert_damage (ProcuraAuditWindow  *window,
               ProcuraAuditProblem  problem,
               gint64               seq,
               const char          *message)
{
  ProcuraAuditReport report;

  gtk_widget_activate_action (GTK_WIDGET (window), "audit.reload", NULL);
  g_assert_true (procura_audit_window_get_loading (window));
  wait_loaded (window);
  g_assert_cmpstr (procura_audit_window_get_state (window), ==, "log");
  g_assert_true (procura_audit_window_get_report (window, &report));
  if (report.problem != problem || report.bad_seq != seq)
    g_error ("expected %s of %" G_GINT64_FORMAT ", the window says: %s", procura_audit_problem_to_string (problem),
             seq, procura_audit_window_get_message (window));
  g_assert_cmpstr (procura_audit_window_get_message (window), ==, message);
}

static void
test_audit_window (void)
{
  g_autofree char *auditor_dir = procura_test_make_tmp_dir ("procura-audit-client-XXXXXX");
  g_autofree char *agency_dir = procura_test_make_tmp_dir ("procura-audit-agency-XXXXXX");
  g_autofree char *nobody_dir = procura_test_make_tmp_dir ("procura-audit-nobody-XXXXXX");
  g_autofree char *intact = NULL;
  ProcuraAuditWindow *window;
  ProcuraAuditReport report;
  GListModel *model;
  guint n;
  const char *cli = NULL;

  if (!procura_test_find_sync_binaries (&server.binary, &cli))
    return;

  server.dir = procura_test_make_tmp_dir ("procura-audit-server-XXXXXX");
  server.agency_uscc = make_uscc (4242);
  procura_test_server_add_user (server.binary, server.dir, "officer1", "officer", NULL, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "auditor1", "auditor", NULL, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "agency1", "agency", server.agency_uscc, PASSWORD);
  server.running = procura_test_server_start (server.binary, server.dir);
  g_assert_nonnull (server.running);

  /* something to log: logins, a failure, the agency's refusal below */
  login ("officer1", PASSWORD, auditor_dir);
  login ("officer1", "wrong password", NULL);
  login ("agency1", PASSWORD, agency_dir);
  login ("auditor1", PASSWORD, auditor_dir);
  /* more than one page of GET /v1/audit */
  flood_logins ("mallory");

  /* without an account: the log is on the server */
  window = open_window (nobody_dir);
  g_assert_cmpstr (procura_audit_window_get_state (window), ==, "no-account");
  g_assert_false (procura_audit_window_get_report (window, NULL));
  gtk_window_destroy (GTK_WINDOW (window));

  /* an agency: the server refuses (and logs the refusal) */
  window = open_window (agency_dir);
  g_assert_cmpstr (procura_audit_window_get_state (window), ==, "forbidden");
  gtk_window_destroy (GTK_WINDOW (window));

  /* the auditor: every entry, intact */
  window = open_window (auditor_dir);
  g_assert_cmpstr (procura_audit_window_get_state (window), ==, "log");
  g_assert_true (procura_audit_window_get_report (window, &report));
  g_assert_cmpint (report.problem, ==, PROCURA_AUDIT_OK);
  model = procura_audit_window_get_model (window);
  n = g_list_model_get_n_items (model);
  /* 3 accounts added, 4 logins, the flood, 1 refusal */
  g_assert_cmpuint (n, ==, 8 + N_FLOOD);
  g_assert_cmpint (report.n_entries, ==, n);
  intact = g_strdup_printf ("The log is intact: %u entries", n);
  g_assert_cmpstr (procura_audit_window_get_message (window), ==, intact);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ProcuraAuditLogItem) item = g_list_model_get_item (model, i);

      g_assert_cmpint (procura_audit_log_item_get_seq (item), ==, i + 1);
      g_assert_nonnull (procura_audit_log_item_get_time_text (item));
      /* shown in local time, not as stored */
      g_assert_cmpstr (procura_audit_log_item_get_time_text (item), !=, procura_audit_log_item_get_at (item));
    }
  {
    g_autoptr(ProcuraAuditLogItem) last = g_list_model_get_item (model, n - 1);

    g_assert_cmpstr (procura_audit_log_item_get_actor (last), ==, "agency1");
    g_assert_cmpstr (procura_audit_log_item_get_action (last), ==, "denied");
    g_assert_cmpstr (procura_audit_log_item_get_status (last), ==, "403");
  }

  assert_fetch_keeps_latest (auditor_dir, n);

  /* the filters */
  gtk_widget_activate_action (GTK_WIDGET (window), "audit.filter-action", "s", "login");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4 + N_FLOOD);
  gtk_widget_activate_action (GTK_WIDGET (window), "audit.filter-actor", "s", "officer1");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraAuditLogItem) item = g_list_model_get_item (model, i);

      g_assert_cmpstr (procura_audit_log_item_get_actor (item), ==, "officer1");
      g_assert_cmpstr (procura_audit_log_item_get_action (item), ==, "login");
    }
  gtk_widget_activate_action (GTK_WIDGET (window), "audit.filter-actor", "s", "");
  gtk_widget_activate_action (GTK_WIDGET (window), "audit.filter-action", "s", "");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);

  /* the log cut at its end leaves a consistent chain: only the entry this
   * computer checked before, now gone, tells */
  {
    g_autofree char *sql = g_strdup_printf ("DELETE FROM audit WHERE seq = %u", n);
    g_autofree char *cut = g_strdup_printf ("The log was cut short: entry %u, checked on this computer "
                                            "before, is gone", n);

    tamper (sql);
    assert_damage (window, PROCURA_AUDIT_TRUNCATED, n, cut);
  }

  /* tampering, each earlier in the log than the one before, so that each
   * is the first damage found: a swap, an edit, a deletion, a forgery */
  tamper ("UPDATE audit SET pos = -1 WHERE seq = 7;"
          "UPDATE audit SET pos = 7 WHERE seq = 8;"
          "UPDATE audit SET pos = 8 WHERE seq = 7;");
  assert_damage (window, PROCURA_AUDIT_REORDERED, 8, "Entry 8 is out of order");

  tamper ("UPDATE audit SET detail = 'nothing happened' WHERE seq = 5");
  assert_damage (window, PROCURA_AUDIT_ALTERED, 5, "Entry 5 was altered");

  tamper ("DELETE FROM audit WHERE seq = 3");
  assert_damage (window, PROCURA_AUDIT_REMOVED, 3, "An entry was removed before entry 4 (entry 3 is missing)");

  tamper ("UPDATE audit SET pos = pos + 1000000 WHERE pos > 1;"
          "UPDATE audit SET pos = pos - 999999 WHERE pos > 1000000;"
          "INSERT INTO audit (pos, seq, at, actor, action, status, detail, hash) "
          "SELECT 2, 2, at, 'intruder', 'login', 'ok', NULL, hash FROM audit WHERE seq = 2;");
  assert_damage (window, PROCURA_AUDIT_INSERTED, 2, "An entry was inserted as entry 2");

  /* and the server's own verifier names the same */
  {
    const char *argv[] = { server.binary, "--data-dir", server.dir, "audit", "verify", NULL };
    g_autofree char *out = NULL;

    procura_test_run (NULL, NULL, &out, NULL, argv);
    g_assert_nonnull (strstr (out, "entry 2 inserted"));
  }

  gtk_widget_activate_action (GTK_WIDGET (window), "window.close", NULL);
  g_clear_pointer (&server.running, procura_test_server_free);
  procura_test_remove_tree (auditor_dir);
  procura_test_remove_tree (agency_dir);
  procura_test_remove_tree (nobody_dir);
  procura_test_remove_tree (server.dir);
  g_clear_pointer (&server.dir, g_free);
  g_clear_pointer (&server.agency_uscc, g_free);
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/audit-window/account-no-autolaunch", test_account_no_autolaunch);
  g_test_add_func ("/audit-window/verify-and-tamper", test_audit_window);

  return g_test_run ();
}
