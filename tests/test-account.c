/* test-account.c — where the session token is kept
 *
 * account.json alone (mode 0600) without a Secret Service, or when
 * PROCURA_NO_KEYRING=1; the keyring when one runs. The keyring case runs
 * gnome-keyring-daemon on a private session bus (GTestDBus) with its
 * files in a temporary home, and skips without the daemon.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "procura-account.h"
#include "procura-sync.h"
#include "procura-test-utils.h"

#define TOKEN "7a0c2f41b9d3e8a65c1f0b2d4e6a8c0f"

static const ProcuraAccount account = {
  (char *) "https://procura.example.gov.cn", (char *) "alice", (char *) "officer", NULL,
  (char *) TOKEN, (char *) "2026-12-27T08:00:00Z",
};

static char *
read_account_file (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "account.json", NULL);
  char *text = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  /* only its owner may read it, whatever it holds */
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));

  return text;
}

static void
assert_round_trip (const char *dir)
{
  g_autoptr(ProcuraAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = procura_account_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->token, ==, TOKEN);
  g_assert_cmpstr (loaded->server, ==, account.server);
  g_assert_cmpstr (loaded->username, ==, "alice");
  g_assert_cmpstr (loaded->role, ==, "officer");
}

/* PROCURA_NO_KEYRING=1: the file, whatever runs */
static void
test_file (const char    *dir,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_setenv ("PROCURA_NO_KEYRING", "1", TRUE);
  g_assert_true (procura_account_save (dir, &account, &error));
  g_assert_no_error (error);
  text = read_account_file (dir);
  g_assert_nonnull (strstr (text, TOKEN));
  g_assert_null (strstr (text, "token_storage"));
  assert_round_trip (dir);
  g_assert_true (procura_account_remove (dir, &error));
  g_assert_null (procura_account_load (dir, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN);
  g_unsetenv ("PROCURA_NO_KEYRING");
}

/* A session bus without a Secret Service: the file, at once (no
 * activation, no waiting) */
static void
test_no_service (const char    *dir,
                 gconstpointer  data)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 start;

  g_test_dbus_up (bus);
  start = g_get_monotonic_time ();
  g_assert_true (procura_account_save (dir, &account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  text = read_account_file (dir);
  g_assert_nonnull (strstr (text, TOKEN));
  assert_round_trip (dir);
  g_test_dbus_down (bus);
}

static gboolean
secrets_running (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

/* Every file under dir: does any hold needle? */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR) ? tree_contains (path, needle)
          : (g_file_get_contents (path, &contents, &length, NULL) &&
             g_strstr_len (contents, length, needle) != NULL))
        return TRUE;
    }

  return FALSE;
}

static void
test_keyring (const char    *dir,
              gconstpointer  data)
{
  /* not freed: see the end */
  GTestDBus *test_bus = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GOutputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraAccount) loaded = NULL;
  g_autofree char *daemon_path = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *home = g_build_filename (dir, "home", NULL);
  g_autofree char *runtime = g_build_filename (dir, "run", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *other_dir = g_build_filename (dir, "other", NULL);
  g_autofree char *text = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *path = g_build_filename (data_dir, "account.json", NULL);
  gint64 deadline;

  if (daemon_path == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed");
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);
  bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);

  /* its keyrings in a home of its own, unlocked with a password on stdin */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  daemon = g_subprocess_launcher_spawn (launcher, &error, daemon_path, "--foreground", "--unlock",
                                        "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_object_ref (g_subprocess_get_stdin_pipe (daemon));
  g_assert_true (g_output_stream_write_all (input, "test", 4, NULL, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, NULL);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!secrets_running (bus) && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  if (!secrets_running (bus))
    {
      g_subprocess_force_exit (daemon);
      g_subprocess_wait (daemon, NULL, NULL);
      g_test_dbus_stop (test_bus);
      g_test_skip ("gnome-keyring-daemon did not start on the test bus");
      return;
    }

  g_assert_true (procura_account_save (data_dir, &account, &error));
  g_assert_no_error (error);
  text = read_account_file (data_dir);
  g_assert_nonnull (strstr (text, "\"token_storage\" : \"keyring\""));
  g_assert_false (tree_contains (data_dir, TOKEN));
  assert_round_trip (data_dir);

  /* another data folder as the same person keeps its own session */
  {
    ProcuraAccount other = account;
    g_autoptr(ProcuraAccount) other_loaded = NULL;

    other.token = (char *) "0000other0000";
    g_assert_true (procura_account_save (other_dir, &other, &error));
    g_assert_no_error (error);
    other_loaded = procura_account_load (other_dir, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (other_loaded->token, ==, "0000other0000");
    assert_round_trip (data_dir);
  }

  /* removing the account removes the keyring's copy: the file put back
   * finds nothing there */
  saved = g_strdup (text);
  g_assert_true (procura_account_remove (data_dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents_full (path, saved, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  loaded = procura_account_load (data_dir, &error);
  g_assert_null (loaded);
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);
  /* the other folder's session is untouched */
  {
    g_autoptr(ProcuraAccount) other_loaded = procura_account_load (other_dir, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (other_loaded->token, ==, "0000other0000");
  }

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
#if HAVE_LIBSECRET
  secret_service_disconnect ();
#endif
  g_clear_object (&bus);
  /* libsecret keeps the bus singleton: g_test_dbus_down() (also in its
   * dispose) would wait 30 s for it. The test runs in a process of its
   * own, which ends here. */
  g_test_dbus_stop (test_bus);
}

static void
run_file (void)
{
  procura_test_run_in_tmp_dir ("procura-account-XXXXXX", test_file, NULL);
}

static void
run_no_service (void)
{
  procura_test_run_in_tmp_dir ("procura-account-XXXXXX", test_no_service, NULL);
}

static void
run_keyring (void)
{
  procura_test_run_in_tmp_dir ("procura-account-XXXXXX", test_keyring, NULL);
}

int
main (int    argc,
      char **argv)
{
  procura_test_init (&argc, &argv);

  /* only the test's own bus */
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv ("PROCURA_NO_KEYRING");

  g_test_add_func ("/account/file", run_file);
  g_test_add_func ("/account/no-service", run_no_service);
  g_test_add_func ("/account/keyring", run_keyring);

  return g_test_run ();
}
