/* test-sync-gui.c — the desktop app's sync: account page, status, conflicts
 *
 * Against the real procura-server on 127.0.0.1 (a random port, a
 * temporary data directory), with the real application, window and
 * dialogs driven through their actions; a second device is procura-cli.
 * Without a display or without the server binaries the tests skip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "procura-account.h"
#include "procura-account-dialog.h"
#include "procura-application.h"
#include "procura-conflicts-window.h"
#include "procura-demo.h"
#include "procura-project-page.h"
#include "procura-project-row.h"
#include "procura-record-editor.h"
#include "procura-schema.h"
#include "procura-store-sync.h"
#include "procura-sync-agent.h"
#include "procura-sync.h"
#include "procura-sync-button.h"
#include "procura-test-utils.h"
#include "procura-window.h"

#define PASSWORD     "correct horse battery"
#define AGENCY_USCC  "52420000MJH233402K"

/* ---- the server and the second device ----------------------------------- */

typedef struct
{
  char              *dir;
  const char        *server_path;
  const char        *cli_path;
  char             **cli_env;
  ProcuraTestServer *server;
} Server;

static void
server_free (Server *s)
{
  /* the server goes before the directory it writes to */
  g_clear_pointer (&s->server, procura_test_server_free);
  if (s->dir != NULL)
    procura_test_remove_tree (s->dir);
  g_free (s->dir);
  g_strfreev (s->cli_env);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

/* procura-server on a free port with officers alice and bob and the
 * agency account carol; NULL (the test skipped) without the binaries. */
static Server *
server_start (void)
{
  g_autoptr(Server) s = g_new0 (Server, 1);
  g_autofree char *server_dir = NULL;

  if (!procura_test_find_sync_binaries (&s->server_path, &s->cli_path))
    return NULL;
  s->cli_env = procura_test_cli_environ ();
  s->cli_env = g_environ_setenv (s->cli_env, "PROCURA_SYNC_BACKOFF_MS", "20", TRUE);
  s->cli_env = g_environ_setenv (s->cli_env, "PROCURA_NO_KEYRING", "1", TRUE);
  s->dir = procura_test_make_tmp_dir ("procura-test-sync-gui-XXXXXX");
  server_dir = g_build_filename (s->dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (server_dir, 0700), ==, 0);

  procura_test_server_add_user (s->server_path, server_dir, "alice", "officer", NULL, PASSWORD);
  procura_test_server_add_user (s->server_path, server_dir, "bob", "officer", NULL, PASSWORD);
  procura_test_server_add_user (s->server_path, server_dir, "carol", "agency", AGENCY_USCC, PASSWORD);

  s->server = procura_test_server_start (s->server_path, server_dir);
  g_assert_nonnull (s->server);

  return g_steal_pointer (&s);
}

/* procura-cli on the second device's data directory; returns stdout. */
static char *
cli_ok (Server     *s,
        const char *input,
        const char *a1,
        const char *a2,
        const char *a3,
        const char *a4,
        const char *a5)
{
  g_autofree char *dir = g_build_filename (s->dir, "bob", NULL);
  const char *argv[] = { s->cli_path, "--data-dir", dir, "--actor", "bob", a1, a2, a3, a4, a5, NULL };
  char *out = NULL;

  g_assert_cmpint (procura_test_run (s->cli_env, input, &out, NULL, argv), ==, 0);
  return out;
}

static gint64
bob_int (Server     *s,
         const char *sql)
{
  g_autofree char *db = g_build_filename (s->dir, "bob", PROCURA_STORE_DB_NAME, NULL);

  return db_query_int (db, sql);
}

/* ---- waiting ---------------------------------------------------------------- */

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until check() holds; fails the test after 60 s. */
static void
wait_for (gboolean    (*check) (gpointer),
          gpointer      data,
          const char   *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
agent_settled (gpointer data)
{
  ProcuraSyncAgent *agent = data;

  return !procura_sync_agent_get_running (agent) &&
         procura_sync_agent_get_status (agent) != PROCURA_SYNC_STATUS_SYNCING;
}

static gboolean
agent_synced_clean (gpointer data)
{
  ProcuraSyncAgent *agent = data;

  return agent_settled (agent) &&
         procura_sync_agent_get_status (agent) == PROCURA_SYNC_STATUS_SYNCED &&
         procura_sync_agent_get_n_pending (agent) == 0;
}

static gboolean
agent_has_pending (gpointer data)
{
  return procura_sync_agent_get_n_pending (data) > 0;
}

static gboolean
dialog_idle (gpointer data)
{
  return !procura_account_dialog_get_busy (data);
}

static gboolean
question_open (gpointer data)
{
  return procura_account_dialog_get_question (data) != NULL || !procura_account_dialog_get_busy (data);
}

static gboolean
window_loaded (gpointer data)
{
  return !procura_window_get_loading (data);
}

/* What the status button said, in order, and how often "pulled" came. */
typedef struct
{
  ProcuraSyncButton *button;
  GPtrArray         *labels;
  guint              n_pulled;
  gboolean           saw_syncing;
} Watch;

static void
watch_label_cb (Watch *watch)
{
  const char *label = procura_sync_button_get_label (watch->button);

  if (watch->labels->len == 0 ||
      g_strcmp0 (g_ptr_array_index (watch->labels, watch->labels->len - 1), label) != 0)
    {
      g_test_message ("status: %s", label);
      g_ptr_array_add (watch->labels, g_strdup (label));
    }
}

static void
watch_status_cb (ProcuraSyncAgent *agent,
                 GParamSpec       *pspec,
                 Watch            *watch)
{
  if (procura_sync_agent_get_status (agent) == PROCURA_SYNC_STATUS_SYNCING)
    watch->saw_syncing = TRUE;
}

static void
watch_pulled_cb (Watch *watch)
{
  watch->n_pulled++;
}

static gboolean
watch_saw (Watch      *watch,
           const char *prefix_or_suffix)
{
  for (guint i = 0; i < watch->labels->len; i++)
    if (strstr (g_ptr_array_index (watch->labels, i), prefix_or_suffix) != NULL)
      return TRUE;

  return FALSE;
}

/* ---- the application ---------------------------------------------------------- */

static void
draw (GtkWidget *widget)
{
  for (guint j = 0; j < 10; j++)
    {
      gtk_test_widget_wait_for_draw (widget);
      for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
        ;
    }
}

/* PROCURA_SCREENSHOT_DIR=dir: widget as drawn now, as dir/name */
static void
shot (GtkWidget  *widget,
      const char *name)
{
  const char *dir = g_getenv ("PROCURA_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds;

  if (dir == NULL || dir[0] == '\0')
    return;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  draw (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gdk_paintable_get_intrinsic_width (paintable),
                          gdk_paintable_get_intrinsic_height (paintable));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

static ProcuraApplication *
app_new (const char *dir)
{
  ProcuraApplication *app = procura_application_new ();
  g_autoptr(GError) error = NULL;
  static guint serial;
  g_autofree char *app_id = g_strdup_printf ("%s.Test%u", APP_ID, ++serial);

  /* one process, several applications: each exports its own object */
  g_application_set_application_id (G_APPLICATION (app), app_id);
  procura_application_set_data_dir (app, dir);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  return app;
}

static ProcuraWindow *
app_window (ProcuraApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PROCURA_IS_WINDOW (l->data))
      return l->data;

  g_assert_not_reached ();
}

static gpointer
find_window (ProcuraApplication *app,
             GType               type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;

  return NULL;
}

static void
app_quit (ProcuraApplication *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static ProcuraSyncButton *
window_sync_button (ProcuraWindow *window)
{
  return PROCURA_SYNC_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (window), PROCURA_TYPE_WINDOW,
                                                             "sync_button"));
}

static ProcuraAccountDialog *
open_account_dialog (ProcuraApplication *app)
{
  ProcuraAccountDialog *dialog;

  g_action_group_activate_action (G_ACTION_GROUP (app), "account", NULL);
  dialog = find_window (app, PROCURA_TYPE_ACCOUNT_DIALOG);
  g_assert_nonnull (dialog);

  return dialog;
}

static void
fill_login (ProcuraAccountDialog *dialog,
            const char           *server,
            const char           *user,
            const char           *password)
{
  GtkWidget *widget = GTK_WIDGET (dialog);

  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (widget, PROCURA_TYPE_ACCOUNT_DIALOG, "server_row")),
                         server);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (widget, PROCURA_TYPE_ACCOUNT_DIALOG, "username_row")),
                         user);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (widget, PROCURA_TYPE_ACCOUNT_DIALOG, "password_row")),
                         password);
}

static void
log_in (ProcuraAccountDialog *dialog,
        const char           *server,
        const char           *user,
        const char           *password)
{
  fill_login (dialog, server, user, password);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.log-in", NULL));
  g_assert_true (procura_account_dialog_get_busy (dialog));
  wait_for (question_open, dialog, "the login");
}

/* Every file under dir: does any contain needle? */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &length, NULL))
        {
          gsize n = strlen (needle);

          /* binary files too (the database): no string functions */
          for (gsize i = 0; i + n <= length; i++)
            if (memcmp (contents + i, needle, n) == 0)
              return TRUE;
        }
    }

  return FALSE;
}

static char *
ledger_title_of (ProcuraWindow *window,
                 const char    *code)
{
  GListModel *model = procura_window_get_ledger_model (window);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) row = g_list_model_get_item (model, i);

      if (g_strcmp0 (procura_project_row_get_code (row), code) == 0)
        return g_strdup (procura_project_row_get_title (row));
    }

  return NULL;
}

static char *
store_title (ProcuraStore *store,
             const char   *id)
{
  g_autoptr(ProcuraRecord) project = procura_store_get (store, PROCURA_ENTITY_PROJECT, id, NULL);

  g_assert_nonnull (project);
  return g_strdup (procura_record_get_string (project, "title"));
}

/* Bob and the app change the title of project id; bob's reaches the
 * server first, so the app's push meets it: a conflict, listed here. */
static const ProcuraConflict *
make_conflict (Server             *s,
               ProcuraApplication *app,
               Fixture            *f,
               const char         *id,
               const char         *mine,
               const char         *theirs)
{
  ProcuraSyncAgent *agent = procura_application_get_sync_agent (app);
  g_autofree char *assignment = g_strdup_printf ("title=%s", theirs);
  g_autofree char *out = NULL;
  g_autofree char *sync_out = NULL;
  ProcuraConflictsWindow *conflicts;
  GPtrArray *list;

  g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));
  out = cli_ok (s, NULL, "set", id, assignment, NULL, NULL);
  sync_out = cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL);

  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", mine);
  wait_for (agent_has_pending, agent, "the edit to be counted");
  /* the debounced run pushes it */
  wait_for (agent_synced_clean, agent, "the edit to be pushed");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 1);
  {
    g_autofree char *expected = g_strdup_printf (ngettext ("%u Conflict", "%u Conflicts", 1), 1);

    g_assert_cmpstr (procura_sync_button_get_label (window_sync_button (app_window (app))), ==, expected);
    shot (GTK_WIDGET (app_window (app)), "sync-window-conflict.png");
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "conflicts", NULL);
  conflicts = find_window (app, PROCURA_TYPE_CONFLICTS_WINDOW);
  g_assert_nonnull (conflicts);
  list = procura_conflicts_window_get_conflicts (conflicts);
  g_assert_cmpuint (list->len, ==, 1);

  return g_ptr_array_index (list, 0);
}

/* The group shows both values and both authors. */
static void
assert_group_shows (ProcuraConflictsWindow *conflicts,
                    gint64                  id,
                    const char             *mine,
                    const char             *theirs)
{
  GtkWidget *group = procura_conflicts_window_get_group (conflicts, id);
  gboolean saw_mine = FALSE, saw_theirs = FALSE;

  g_assert_nonnull (group);
  /* the group's title names the record by its entity and title */
  g_assert_true (g_str_has_prefix (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)),
                                   procura_entity_get_label (PROCURA_ENTITY_PROJECT)));
  g_assert_true (g_str_has_prefix (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                                   procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "title"))));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), "bob"));

  /* rows live inside the group's list box: walk the widget tree */
  for (GtkWidget *w = gtk_widget_get_first_child (group); w != NULL; )
    {
      if (ADW_IS_ACTION_ROW (w))
        {
          const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w));
          const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (w));

          if (g_strcmp0 (title, mine) == 0 && strstr (subtitle, "alice") != NULL)
            saw_mine = TRUE;
          if (g_strcmp0 (title, theirs) == 0 && strstr (subtitle, "bob") != NULL)
            saw_theirs = TRUE;
        }
      /* depth-first */
      if (gtk_widget_get_first_child (w) != NULL && !ADW_IS_ACTION_ROW (w))
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != group && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = (w == NULL || w == group) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_true (saw_mine);
  g_assert_true (saw_theirs);
}

static void
test_round_trip (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bob_dir = NULL;
  g_autofree char *account_path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *code = NULL;
  ProcuraSyncAgent *agent;
  ProcuraWindow *window;
  ProcuraSyncButton *button;
  ProcuraAccountDialog *dialog;
  ProcuraConflictsWindow *conflicts;
  const ProcuraConflict *conflict;
  Watch watch = { 0 };
  Fixture f = { 0 };
  GStatBuf st;

  if (s == NULL)
    return;

  dir = g_build_filename (s->dir, "alice", NULL);
  bob_dir = g_build_filename (s->dir, "bob", NULL);
  account_path = g_build_filename (dir, "account.json", NULL);
  app = app_new (dir);
  window = app_window (app);
  wait_for (window_loaded, window, "the ledger");
  agent = procura_application_get_sync_agent (app);
  g_assert_nonnull (agent);
  g_object_set (agent, "interval", 3600, "debounce", 300, NULL);
  button = window_sync_button (window);
  g_assert_true (procura_sync_button_get_agent (button) == agent);

  watch.button = button;
  watch.labels = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_swapped (agent, "notify", G_CALLBACK (watch_label_cb), &watch);
  g_signal_connect (agent, "notify::status", G_CALLBACK (watch_status_cb), &watch);
  g_signal_connect_swapped (agent, "pulled", G_CALLBACK (watch_pulled_cb), &watch);

  /* a ledger without an account */
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);
  g_assert_cmpstr (procura_sync_button_get_label (button), ==, _("This Computer Only"));
  g_assert_null (procura_application_get_role (app));

  /* a wrong password is named as such, and nothing is kept */
  dialog = open_account_dialog (app);
  g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "login");
  log_in (dialog, s->server->url, "alice", "wrong horse");
  g_assert_nonnull (procura_account_dialog_get_error (dialog));
  g_assert_cmpstr (procura_account_dialog_get_error (dialog), ==, _("The user name or the password is wrong."));
  shot (GTK_WIDGET (dialog), "sync-login-error.png");
  g_assert_false (g_file_test (account_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);

  /* a server that is not there is named too */
  log_in (dialog, "http://127.0.0.1:1", "alice", PASSWORD);
  g_assert_nonnull (strstr (procura_account_dialog_get_error (dialog), "127.0.0.1:1"));
  g_assert_cmpstr (procura_account_dialog_get_error (dialog), !=, _("The user name or the password is wrong."));

  /* the right one: syncing, then synced */
  log_in (dialog, s->server->url, "alice", PASSWORD);
  g_assert_null (procura_account_dialog_get_question (dialog));  /* an empty ledger: nothing to ask */
  g_assert_null (procura_account_dialog_get_error (dialog));
  wait_for (agent_synced_clean, agent, "the first sync");
  g_assert_true (watch.saw_syncing);
  g_assert_true (watch_saw (&watch, _("Syncing…")));
  g_assert_cmpstr (procura_sync_button_get_label (button), ==, _("Synced"));
  g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "account");
  shot (GTK_WIDGET (dialog), "sync-account.png");
  g_assert_cmpstr (procura_application_get_role (app), ==, "officer");
  g_assert_cmpstr (procura_sync_agent_get_username (agent), ==, "alice");
  g_assert_nonnull (procura_sync_agent_get_last_synced (agent));

  /* the token sits in a file only alice can read; the password nowhere */
  g_assert_cmpint (g_stat (account_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_false (tree_contains (dir, PASSWORD));

  /* an edit: waiting to be sent, then sent a moment later */
  f.dir = dir;
  f.store = procura_application_get_store (app, NULL);
  code = g_strdup ("GUI-SYNC-1");
  id = add_draft_project (&f, code);
  wait_for (agent_has_pending, agent, "the edit to be counted");
  {
    guint n = procura_sync_agent_get_n_pending (agent);
    g_autofree char *expected = g_strdup_printf (ngettext ("%u to Send", "%u to Send", n), n);

    g_assert_cmpstr (procura_sync_button_get_label (button), ==, expected);
  }
  wait_for (agent_synced_clean, agent, "the edit to be sent");
  g_assert_cmpstr (procura_sync_button_get_label (button), ==, _("Synced"));
  shot (GTK_WIDGET (window), "sync-window-synced.png");
  /* the popover says it in words, with the time of the last sync */
  {
    GtkMenuButton *menu_button = GTK_MENU_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (button),
                                                                                 PROCURA_TYPE_SYNC_BUTTON,
                                                                                 "menu_button"));
    g_autofree char *expected = g_strdup_printf (_("Up to date with %s."), procura_sync_agent_get_server (agent));

    g_assert_nonnull (strstr (procura_sync_button_get_detail (button), expected));
    gtk_menu_button_popup (menu_button);
    shot (GTK_WIDGET (gtk_menu_button_get_popover (menu_button)), "sync-popover.png");
    gtk_menu_button_popdown (menu_button);
  }

  /* bob gets it */
  g_assert_cmpint (procura_test_run (s->cli_env, PASSWORD "\n", NULL, NULL,
                        (const char *[]) { s->cli_path, "--data-dir", bob_dir, "login", "--server", s->server->url,
                                           "--user", "bob", NULL }), ==, 0);
  g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM project WHERE id = '%s'", id);

    g_assert_cmpint (bob_int (s, sql), ==, 1);
  }

  /* bob's change arrives, and the ledger and the project page open on it
   * show it without a reload by hand */
  {
    g_autofree char *title = NULL;
    guint pulled = watch.n_pulled;
    ProcuraProjectPage *page = PROCURA_PROJECT_PAGE (procura_window_get_place_widget (window, "project"));
    g_autofree char *old_title = NULL;

    procura_window_open_project (window, id);
    old_title = g_strdup (procura_project_page_get_title (page));
    g_assert_cmpstr (old_title, !=, "居家养老服务（鲍勃改）");
    g_free (cli_ok (s, NULL, "set", id, "title=居家养老服务（鲍勃改）", NULL, NULL));
    g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
    wait_for (agent_synced_clean, agent, "the pull");
    g_assert_cmpuint (watch.n_pulled, >, pulled);
    g_assert_true (procura_window_get_loading (window) || TRUE);
    wait_for (window_loaded, window, "the ledger to reload");
    title = ledger_title_of (window, code);
    g_assert_cmpstr (title, ==, "居家养老服务（鲍勃改）");
    g_assert_cmpstr (procura_window_get_place (window), ==, "project");
    g_assert_cmpstr (procura_project_page_get_title (page), ==, "居家养老服务（鲍勃改）");
    procura_window_set_place (window, "dashboard");
  }

  /* a conflict, settled for bob's value */
  conflict = make_conflict (s, app, &f, id, "爱丽丝的标题", "鲍勃的标题");
  conflicts = find_window (app, PROCURA_TYPE_CONFLICTS_WINDOW);
  g_assert_cmpstr (conflict->kind, ==, "conflict");
  g_assert_cmpstr (conflict->field, ==, "title");
  assert_group_shows (conflicts, conflict->id, "爱丽丝的标题", "鲍勃的标题");
  shot (GTK_WIDGET (conflicts), "sync-conflicts.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conflicts), "conflicts.keep", "(xb)",
                                             conflict->id, FALSE));
  g_assert_cmpuint (procura_conflicts_window_get_conflicts (conflicts)->len, ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (conflicts),
                                                                                                 PROCURA_TYPE_CONFLICTS_WINDOW,
                                                                                                 "stack"))), ==, "empty");
  {
    g_autofree char *title = store_title (f.store, id);

    g_assert_cmpstr (title, ==, "鲍勃的标题");
  }
  wait_for (agent_synced_clean, agent, "the sync after keeping theirs");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 0);
  gtk_window_destroy (GTK_WINDOW (conflicts));

  /* another, settled for alice's: the server gets hers */
  conflict = make_conflict (s, app, &f, id, "爱丽丝坚持的标题", "鲍勃又改的标题");
  conflicts = find_window (app, PROCURA_TYPE_CONFLICTS_WINDOW);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conflicts), "conflicts.keep", "(xb)",
                                             conflict->id, TRUE));
  wait_for (agent_synced_clean, agent, "the sync after keeping mine");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 0);
  gtk_window_destroy (GTK_WINDOW (conflicts));
  g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));
  {
    g_autofree char *sql = g_strdup_printf ("SELECT title = '爱丽丝坚持的标题' FROM project WHERE id = '%s'", id);

    g_assert_cmpint (bob_int (s, sql), ==, 1);
  }

  /* the session ends on the server (expired, revoked): the next run asks
   * for the password again, and the dialog takes it */
  {
    g_autoptr(ProcuraAccount) account = procura_account_load (dir, NULL);
    g_autoptr(ProcuraSync) other = NULL;
    g_autoptr(GError) error = NULL;
    GtkWidget *password_row = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                         PROCURA_TYPE_ACCOUNT_DIALOG,
                                                                         "password_row"));

    g_assert_nonnull (account);
    other = procura_sync_new (dir, account->server, account->token);
    g_assert_true (procura_sync_logout (other, NULL, &error));
    g_assert_no_error (error);
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
    wait_for (agent_settled, agent, "the refused run");
    g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_NEEDS_LOGIN);
    g_assert_cmpstr (procura_sync_button_get_label (button), ==, _("Log In Again"));
    g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "login");
    /* whom to log in as is filled in; the password is not kept */
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row)), ==, "");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (dialog),
                                                                                       PROCURA_TYPE_ACCOUNT_DIALOG,
                                                                                       "username_row"))), ==, "alice");
    /* the role stays known meanwhile: the window keeps its shape */
    g_assert_cmpstr (procura_application_get_role (app), ==, "officer");
    gtk_editable_set_text (GTK_EDITABLE (password_row), PASSWORD);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.log-in", NULL));
    wait_for (question_open, dialog, "the login again");
    g_assert_null (procura_account_dialog_get_question (dialog));
    wait_for (agent_synced_clean, agent, "the sync after logging in again");
    g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "account");
  }

  /* log out: the token goes, the ledger stays */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "account.log-out", NULL));
  wait_for (dialog_idle, dialog, "the logout");
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);
  g_assert_cmpstr (procura_sync_button_get_label (button), ==, _("This Computer Only"));
  g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "login");
  g_assert_false (g_file_test (account_path, G_FILE_TEST_EXISTS));
  g_assert_null (procura_application_get_role (app));
  {
    g_autofree char *title = store_title (f.store, id);

    g_assert_cmpstr (title, ==, "爱丽丝坚持的标题");
  }

  /* alice's unsent edit, then bob logs in here: he is asked before
   * anything of hers is shown or sent under his name; cancelling keeps
   * nothing of his session */
  set_text (&f, PROCURA_ENTITY_PROJECT, id, "title", "退出后爱丽丝的修改");
  g_assert_cmpuint (procura_sync_agent_count_local_records (agent, NULL), ==, 0);
  log_in (dialog, s->server->url, "bob", PASSWORD);
  g_assert_nonnull (procura_account_dialog_get_question (dialog));
  /* the ledger was filled as alice: bob may only start an empty one,
   * never see or send hers */
  g_assert_false (adw_message_dialog_has_response (procura_account_dialog_get_question (dialog), "send"));
  g_assert_true (adw_message_dialog_has_response (procura_account_dialog_get_question (dialog), "empty"));
  adw_message_dialog_response (procura_account_dialog_get_question (dialog), "cancel");
  g_assert_null (procura_account_dialog_get_question (dialog));
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);
  g_assert_false (g_file_test (account_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (procura_sync_agent_get_n_pending (agent), >, 0);
  g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "login");

  g_signal_handlers_disconnect_by_data (agent, &watch);
  g_ptr_array_unref (watch.labels);
  app_quit (app);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_ready (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* The token without a keyring: account.json, 0600, no password; logging
 * out revokes it on the server and forgets it here. */
static void
test_keyring_fallback (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraSyncAgent) agent = NULL;
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(ProcuraAccount) loaded = NULL;
  g_autoptr(ProcuraSync) old_session = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  if (s == NULL)
    return;

  dir = g_build_filename (s->dir, "device", NULL);
  path = g_build_filename (dir, "account.json", NULL);
  store = procura_test_open_store (dir, NULL, "alice");
  agent = procura_sync_agent_new (store);
  procura_sync_agent_start (agent);
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);

  procura_sync_agent_login_async (agent, s->server->url, "alice", PASSWORD, NULL, store_result_cb, &result);
  wait_for (result_ready, &result, "the login");
  account = procura_sync_agent_login_finish (agent, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account->token);
  g_assert_cmpstr (account->role, ==, "officer");
  /* the login alone keeps nothing */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (procura_sync_agent_begin_session (agent, account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, account->token));
  g_assert_null (strstr (text, "token_storage"));
  g_assert_false (tree_contains (dir, PASSWORD));
  loaded = procura_account_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->token, ==, account->token);
  wait_for (agent_synced_clean, agent, "the first sync");

  g_clear_object (&result);
  procura_sync_agent_logout_async (agent, store_result_cb, &result);
  wait_for (result_ready, &result, "the logout");
  g_assert_true (procura_sync_agent_logout_finish (agent, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);
  g_assert_null (procura_account_load (dir, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);

  /* the server forgot the session too */
  old_session = procura_sync_new (dir, s->server->url, account->token);
  g_assert_false (procura_sync_run (old_session, store, NULL, NULL, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED);
}

/* A data folder with records never sent anywhere (the demo) */
static char *
demo_dir (Server *s,
          const char *name,
          guint      *out_pending)
{
  g_autofree char *dir = g_build_filename (s->dir, name, NULL);
  g_autoptr(ProcuraStore) store = procura_test_open_store (dir, NULL, "tester");
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_demo_generate (store, 3, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  *out_pending = (guint) procura_store_sync_count_outbox (store, NULL);
  g_assert_cmpuint (*out_pending, >, 0);

  return g_steal_pointer (&dir);
}

static guint
count_aside (const char *dir,
             char      **out_path)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "procura-local-") && g_str_has_suffix (name, ".db"))
      {
        n++;
        if (out_path != NULL)
          *out_path = g_build_filename (dir, name, NULL);
      }

  return n;
}

/* An agency account cannot write the demo's records: the old database
 * is kept aside whole, and the account starts on an empty ledger. */
/* The template child of a window with this id. */
static GtkWidget *
find_by_id (GtkWidget  *widget,
            const char *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (child)), id) == 0)
        return child;
      if ((found = find_by_id (child, id)) != NULL)
        return found;
    }

  return NULL;
}

static void
spin_a_little (void)
{
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
test_local_records_agency (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *aside = NULL;
  ProcuraAccountDialog *dialog;
  AdwMessageDialog *question;
  ProcuraSyncAgent *agent;
  ProcuraWindow *window;
  ProcuraStore *old_store;
  guint pending = 0;
  guint old_projects;

  if (s == NULL)
    return;

  dir = demo_dir (s, "agency", &pending);
  app = app_new (dir);
  window = app_window (app);
  wait_for (window_loaded, window, "the ledger");
  old_projects = procura_window_get_n_projects (window);
  g_assert_cmpuint (old_projects, ==, 3);
  agent = procura_application_get_sync_agent (app);
  g_object_set (agent, "interval", 3600, "debounce", 300, NULL);
  g_assert_cmpuint (procura_sync_agent_count_local_records (agent, NULL), ==, pending);
  old_store = procura_application_get_store (app, NULL);
  /* NULL once the old store is gone (its connection closed); comparing
   * addresses could not tell, a new store may reuse the old one's */
  g_object_add_weak_pointer (G_OBJECT (old_store), (gpointer *) &old_store);

  dialog = open_account_dialog (app);
  log_in (dialog, s->server->url, "carol", PASSWORD);
  question = procura_account_dialog_get_question (dialog);
  g_assert_nonnull (question);
  /* it says how many, and that nothing is deleted */
  {
    g_autofree char *count = g_strdup_printf ("%u", pending);

    g_assert_nonnull (strstr (adw_message_dialog_get_body (question), count));
    g_assert_false (adw_message_dialog_has_response (question, "send"));
    g_assert_true (adw_message_dialog_has_response (question, "empty"));
    shot (GTK_WIDGET (question), "sync-question-agency.png");
  }
  /* nothing changed while the question is open */
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_LOCAL);
  g_assert_cmpuint (count_aside (dir, NULL), ==, 0);

  adw_message_dialog_response (question, "empty");
  wait_for (agent_synced_clean, agent, "the first sync on the empty ledger");

  /* the old database, whole, under another name; a new one in its place */
  g_assert_cmpuint (count_aside (dir, &aside), ==, 1);
  g_assert_cmpint (db_query_int (aside, "SELECT COUNT(*) FROM project"), ==, 3);
  g_assert_cmpint (db_query_int (aside, "SELECT COUNT(*) FROM outbox"), ==, pending);
  g_assert_null (old_store);
  g_assert_nonnull (procura_application_get_store (app, NULL));
  g_assert_true (procura_window_get_store (window) == procura_application_get_store (app, NULL));
  g_assert_cmpuint (procura_sync_agent_get_n_pending (agent), ==, 0);
  wait_for (window_loaded, window, "the ledger");
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 0);
  g_assert_cmpstr (procura_application_get_role (app), ==, "agency");
  g_assert_cmpstr (procura_application_get_organization (app), ==, AGENCY_USCC);
  g_assert_cmpstr (procura_account_dialog_get_page (dialog), ==, "account");

  /* an agency creates no projects or organizations: the header's "new"
   * button and the empty ledger's are gone, and the actions do nothing */
  g_assert_nonnull (find_by_id (GTK_WIDGET (window), "new_button"));
  g_assert_false (gtk_widget_get_visible (find_by_id (GTK_WIDGET (window), "new_button")));
  g_assert_false (gtk_widget_get_visible (find_by_id (GTK_WIDGET (window), "empty_new_button")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-project", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-organization", NULL);
  spin_a_little ();
  g_assert_null (find_window (app, PROCURA_TYPE_RECORD_EDITOR));

  app_quit (app);
}

/* An officer may send them: they reach the server and bob. */
static void
test_local_records_officer (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bob_dir = NULL;
  ProcuraAccountDialog *dialog;
  AdwMessageDialog *question;
  ProcuraSyncAgent *agent;
  ProcuraWindow *window;
  guint pending = 0;

  if (s == NULL)
    return;

  dir = demo_dir (s, "officer", &pending);
  bob_dir = g_build_filename (s->dir, "bob", NULL);
  app = app_new (dir);
  window = app_window (app);
  wait_for (window_loaded, window, "the ledger");
  agent = procura_application_get_sync_agent (app);
  g_object_set (agent, "interval", 3600, "debounce", 300, NULL);

  dialog = open_account_dialog (app);
  log_in (dialog, s->server->url, "alice", PASSWORD);
  question = procura_account_dialog_get_question (dialog);
  g_assert_nonnull (question);
  {
    g_autofree char *count = g_strdup_printf ("%u", pending);

    g_assert_nonnull (strstr (adw_message_dialog_get_body (question), count));
    g_assert_true (adw_message_dialog_has_response (question, "send"));
    shot (GTK_WIDGET (question), "sync-question-officer.png");
  }
  adw_message_dialog_response (question, "send");
  wait_for (agent_synced_clean, agent, "the records to be sent");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 0);
  g_assert_cmpuint (count_aside (dir, NULL), ==, 0);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 3);

  g_assert_cmpint (procura_test_run (s->cli_env, PASSWORD "\n", NULL, NULL,
                        (const char *[]) { s->cli_path, "--data-dir", bob_dir, "login", "--server", s->server->url,
                                           "--user", "bob", NULL }), ==, 0);
  g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));
  g_assert_cmpint (bob_int (s, "SELECT COUNT(*) FROM project"), ==, 3);

  app_quit (app);
}

/* An account logged in by procura-cli: the app knows its role from the
 * start, and syncs at once. */
static void
test_startup_with_account (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraApplication) app = NULL;
  g_autofree char *dir = NULL;
  ProcuraSyncAgent *agent;

  if (s == NULL)
    return;

  dir = g_build_filename (s->dir, "carol", NULL);
  g_assert_cmpint (procura_test_run (s->cli_env, PASSWORD "\n", NULL, NULL,
                        (const char *[]) { s->cli_path, "--data-dir", dir, "login", "--server", s->server->url,
                                           "--user", "carol", NULL }), ==, 0);
  app = app_new (dir);
  /* before the main loop ran once */
  g_assert_cmpstr (procura_application_get_role (app), ==, "agency");
  g_assert_cmpstr (procura_application_get_organization (app), ==, AGENCY_USCC);
  agent = procura_application_get_sync_agent (app);
  g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_SYNCING);
  wait_for (agent_synced_clean, agent, "the first sync");
  g_assert_cmpstr (procura_sync_button_get_label (window_sync_button (app_window (app))), ==, _("Synced"));

  /* the server goes away: offline, and the work stays here */
  {
    g_autoptr(GUri) uri = g_uri_parse (s->server->url, G_URI_FLAGS_NONE, NULL);
    g_autofree char *listen = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uri));
    g_autofree char *url = g_strdup (s->server->url);

    procura_test_server_stop (s->server);
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
    wait_for (agent_settled, agent, "the run without a server");
    g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_OFFLINE);
    g_assert_cmpstr (procura_sync_button_get_label (window_sync_button (app_window (app))), ==, _("Offline"));
    g_assert_nonnull (procura_sync_agent_get_last_error (agent));

    /* trying again without a server says offline all along, not
     * "Syncing…" for the minutes a run retries */
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
    g_assert_true (procura_sync_agent_get_running (agent));
    g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_OFFLINE);
    g_assert_cmpstr (procura_sync_button_get_label (window_sync_button (app_window (app))), ==, _("Offline"));
    wait_for (agent_settled, agent, "the second run without a server");
    g_assert_cmpint (procura_sync_agent_get_status (agent), ==, PROCURA_SYNC_STATUS_OFFLINE);

    /* back: the next run goes through */
    g_assert_true (procura_test_server_restart (s->server, listen, NULL));
    g_assert_cmpstr (s->server->url, ==, url);
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
    wait_for (agent_synced_clean, agent, "the run with the server back");
    g_assert_null (procura_sync_agent_get_last_error (agent));
  }

  app_quit (app);
}

static char *
json_id (const char *json)
{
  g_autoptr(JsonNode) node = parse_json (json);

  return g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
}

/* A change the server refuses (an agency may not retitle a project): the
 * record shows the server's value again, the refusal is listed with its
 * reason, and the user may restore theirs or let it go. */
static void
test_refused_change (void)
{
  g_autoptr(Server) s = server_start ();
  g_autoptr(ProcuraApplication) app = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *bob_dir = NULL;
  g_autofree char *org_json = NULL;
  g_autofree char *org_id = NULL;
  g_autofree char *project_json = NULL;
  g_autofree char *project_id = NULL;
  g_autofree char *title = NULL;
  ProcuraConflictsWindow *conflicts;
  const ProcuraConflict *conflict;
  ProcuraSyncAgent *agent;
  Fixture f = { 0 };

  if (s == NULL)
    return;

  /* bob registers carol's agency and gives it a project */
  bob_dir = g_build_filename (s->dir, "bob", NULL);
  g_assert_cmpint (procura_test_run (s->cli_env, PASSWORD "\n", NULL, NULL,
                        (const char *[]) { s->cli_path, "--data-dir", bob_dir, "login", "--server", s->server->url,
                                           "--user", "bob", NULL }), ==, 0);
  {
    const char *argv[] = { s->cli_path, "--data-dir", bob_dir, "--actor", "bob", "--json", "add", "organization",
                           "name=阳光社工服务中心", "uscc=" AGENCY_USCC, "kind=social_work_agency", NULL };

    g_assert_cmpint (procura_test_run (s->cli_env, NULL, &org_json, NULL, argv), ==, 0);
    org_id = json_id (org_json);
  }
  {
    g_autofree char *agency_arg = g_strdup_printf ("agency_id=%s", org_id);
    const char *argv[] = { s->cli_path, "--data-dir", bob_dir, "--actor", "bob", "--json", "add", "project",
                           "code=GUI-REFUSED-1", "title=阳光助老&助残", "category=elderly", "method=open_tender",
                           agency_arg, NULL };

    g_assert_cmpint (procura_test_run (s->cli_env, NULL, &project_json, NULL, argv), ==, 0);
    project_id = json_id (project_json);
  }
  g_free (cli_ok (s, NULL, "sync", NULL, NULL, NULL, NULL));

  /* (the title is also plain text where the conflicts window shows it as
   * a group title, which is markup) */
  /* carol, in the app */
  dir = g_build_filename (s->dir, "carol", NULL);
  g_assert_cmpint (procura_test_run (s->cli_env, PASSWORD "\n", NULL, NULL,
                        (const char *[]) { s->cli_path, "--data-dir", dir, "login", "--server", s->server->url,
                                           "--user", "carol", NULL }), ==, 0);
  app = app_new (dir);
  agent = procura_application_get_sync_agent (app);
  g_object_set (agent, "interval", 3600, "debounce", 300, NULL);
  wait_for (agent_synced_clean, agent, "the first sync");
  f.dir = dir;
  f.store = procura_application_get_store (app, NULL);
  title = store_title (f.store, project_id);
  g_assert_cmpstr (title, ==, "阳光助老&助残");

  set_text (&f, PROCURA_ENTITY_PROJECT, project_id, "title", "卡罗尔改的标题");
  wait_for (agent_has_pending, agent, "the edit to be counted");
  wait_for (agent_synced_clean, agent, "the refused push");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 1);
  g_clear_pointer (&title, g_free);
  title = store_title (f.store, project_id);
  g_assert_cmpstr (title, ==, "阳光助老&助残");

  g_action_group_activate_action (G_ACTION_GROUP (app), "conflicts", NULL);
  conflicts = find_window (app, PROCURA_TYPE_CONFLICTS_WINDOW);
  g_assert_nonnull (conflicts);
  g_assert_cmpuint (procura_conflicts_window_get_conflicts (conflicts)->len, ==, 1);
  conflict = g_ptr_array_index (procura_conflicts_window_get_conflicts (conflicts), 0);
  g_assert_cmpstr (conflict->kind, ==, "rejected");
  g_assert_cmpstr (conflict->local_value, ==, "卡罗尔改的标题");
  {
    GtkWidget *group = procura_conflicts_window_get_group (conflicts, conflict->id);
    const char *description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group));

    /* the server's reason is shown, in the user's language */
    g_assert_nonnull (conflict->reason != NULL ? conflict->reason : conflict->error);
    g_assert_nonnull (strstr (description, conflict->reason != NULL ? g_dgettext (GETTEXT_PACKAGE, conflict->reason)
                                                                  : conflict->error));
  }
  g_test_message ("refused: %s (%s)", conflict->error, conflict->reason);
  shot (GTK_WIDGET (conflicts), "sync-conflicts-refused.png");

  /* let it go: the server's value stays, nothing more is sent */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (conflicts), "conflicts.keep", "(xb)",
                                             conflict->id, FALSE));
  wait_for (agent_synced_clean, agent, "the sync after discarding");
  g_assert_cmpuint (procura_sync_agent_get_n_conflicts (agent), ==, 0);
  g_clear_pointer (&title, g_free);
  title = store_title (f.store, project_id);
  g_assert_cmpstr (title, ==, "阳光助老&助残");

  app_quit (app);
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

  /* no keyring in tests (the file is what is checked), no proxy lookups
   * for loopback, short retry pauses */
  g_setenv ("PROCURA_NO_KEYRING", "1", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("PROCURA_SYNC_BACKOFF_MS", "20", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* screenshots show the locale of the environment (as test-window) */
  if (g_getenv ("PROCURA_SCREENSHOT_DIR") != NULL)
    setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/sync-gui/round-trip", test_round_trip);
  g_test_add_func ("/sync-gui/keyring-fallback", test_keyring_fallback);
  g_test_add_func ("/sync-gui/startup-with-account", test_startup_with_account);
  g_test_add_func ("/sync-gui/refused-change", test_refused_change);
  g_test_add_func ("/sync-gui/local-records/agency", test_local_records_agency);
  g_test_add_func ("/sync-gui/local-records/officer", test_local_records_officer);

  return g_test_run ();
}
