/* test-interchange-gui.c — import, export, print and the OCDS prefix in
 * the real window, driven through its actions
 *
 * The file choosers cannot be driven, so each test starts where they end:
 * win.import-file with a path, export.to-file with a path, and
 * win.save-report-pdf with a project and a path (GtkPrintOperation's
 * export to PDF, the same drawing as printing). Spreadsheets and OCDS
 * release packages import through the same dialog. win.print itself is
 * driven up to the print dialog, which is then cancelled. Runs under a
 * display (xvfb-run); skips without one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "procura-application.h"
#include "procura-demo.h"
#include "procura-export-csv.h"
#include "procura-export-dialog.h"
#include "procura-import-dialog.h"
#include "procura-import-row.h"
#include "procura-preferences-window.h"
#include "procura-project-row.h"
#include "procura-record.h"
#include "procura-report.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-window.h"

#define TODAY "2026-11-27"
#define BUYER "天元区民政局"
/* procura_demo_generate()'s */
#define DEMO_BUYER "株洲市天元区民政局"

typedef struct
{
  char         *dir;
  ProcuraStore *store;
} GuiFixture;

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  g_settings_sync ();
}

/* data: the number of demo projects (0: only the buyer) */
static void
fixture_setup (GuiFixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_projects = GPOINTER_TO_UINT (data);

  f->dir = procura_test_make_tmp_dir ("procura-interchange-XXXXXX");
  f->store = procura_test_open_store (f->dir, TODAY, "tester");
  reset_settings ();

  if (n_projects > 0)
    {
      g_assert_true (procura_demo_generate (f->store, n_projects, 5, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  else
    {
      g_autoptr(ProcuraRecord) buyer = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
      g_autofree char *uscc = make_uscc (900001);

      procura_record_set_string (buyer, "name", BUYER);
      procura_record_set_string (buyer, "uscc", uscc);
      procura_record_set_string (buyer, "kind", "civil_affairs_bureau");
      g_assert_true (procura_store_insert (f->store, buyer, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (GuiFixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  procura_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
iterate (void)
{
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until check (data) holds; fails after 60 s. */
static void
wait_until (gboolean (*check) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  /* wakes the loop up, so that the deadline is checked with nothing
   * else happening */
  guint tick = g_timeout_add (100, tick_cb, NULL);

  while (!check (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  iterate ();
}

static gboolean
window_loaded (gpointer data)
{
  return !procura_window_get_loading (data);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static ProcuraWindow *
open_window (GuiFixture *f)
{
  ProcuraWindow *window = g_object_new (PROCURA_TYPE_WINDOW, "store", f->store, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 760);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_loaded, window);

  return window;
}

static void
close_window (ProcuraWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_until (pointer_cleared, &window);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static gboolean
import_dialog_ready (gpointer data)
{
  return !procura_import_dialog_get_busy (data);
}

/* data: where the dialog is, NULL once it closed */
static gboolean
import_dialog_done (gpointer data)
{
  ProcuraImportDialog *dialog = *(ProcuraImportDialog **) data;

  return dialog == NULL || !procura_import_dialog_get_busy (dialog);
}

static guint
count_projects (ProcuraStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = procura_store_list (store, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);

  g_assert_no_error (error);
  return projects->len;
}

static gboolean
has_project (ProcuraStore *store,
             const char   *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = procura_store_list (store, PROCURA_ENTITY_PROJECT, "code", code, &error);

  g_assert_no_error (error);
  return found->len == 1;
}

static char *
write_ledger_csv (GuiFixture *f)
{
  g_autofree char *uscc = make_uscc (11);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (f->dir, "台账.csv", NULL);

  text = g_strdup_printf (
    "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,类别,采购方式,状态,合同金额(万元),开始日期,结束日期,签订日期,备注\r\n"
    /* 2 */ "G-001,长者饭堂服务项目,春雨社会工作服务中心,%s," BUYER ",养老服务,询价,草稿,12.5,2026/1/1,2026年12月31日,,\r\n"
    /* 3 */ "B-001,坏日期项目,春雨社会工作服务中心,%s," BUYER ",养老服务,询价,草稿,8,2026-13-01,2026-12-31,,\r\n"
    /* 4 */ "G-002,青少年四点半课堂,春雨社会工作服务中心,%s," BUYER ",儿童青少年服务,询价,已结项,10,2026-02-01,2026-12-31,2026-01-20,第二批\r\n"
    /* 5 */ "B-002,坏状态项目,春雨社会工作服务中心,%s," BUYER ",养老服务,询价,进行了,8,2026-01-01,2026-12-31,,\r\n",
    uscc, uscc, uscc, uscc);
  /* GB18030, as WPS saves it */
  {
    gsize length = 0;
    g_autofree char *gb = g_convert (text, -1, "GB18030", "UTF-8", NULL, &length, &error);

    g_assert_no_error (error);
    g_assert_true (g_file_set_contents (path, gb, length, &error));
    g_assert_no_error (error);
  }

  return path;
}

typedef struct
{
  guint n_calls;
  guint n_written;
  guint n_skipped;
} Imported;

static void
imported_cb (ProcuraImportDialog *dialog,
             guint                n_written,
             guint                n_skipped,
             Imported            *imported)
{
  imported->n_calls++;
  imported->n_written = n_written;
  imported->n_skipped = n_skipped;
}

static void
test_import_preview (GuiFixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = write_ledger_csv (f);
  ProcuraWindow *window = open_window (f);
  ProcuraImportDialog *dialog;
  GListModel *rows;
  Imported imported = { 0 };
  static const struct { guint line; const char *code; const char *title; const char *amount; const char *problem; } expected[] = {
    { 2, "G-001", "长者饭堂服务项目", "12.5万", NULL },
    { 3, "B-001", "坏日期项目", "8万", "开始日期" },
    { 4, "G-002", "青少年四点半课堂", "10万", NULL },
    { 5, "B-002", "坏状态项目", "8万", "状态" },
  };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);

  g_assert_null (procura_import_dialog_get_error_message (dialog));
  g_assert_cmpstr (procura_import_dialog_get_encoding (dialog), ==, "GB18030");
  g_assert_cmpstr (procura_import_dialog_get_unknown_columns (dialog)[0], ==, "备注");

  /* every row, with its problems next to it */
  rows = procura_import_dialog_get_rows (dialog);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (procura_import_dialog_get_n_problems (dialog), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(ProcuraImportRow) row = g_list_model_get_item (rows, i);
      const char * const *problems = procura_import_row_get_problems (row);

      g_assert_cmpuint (procura_import_row_get_line (row), ==, expected[i].line);
      g_assert_cmpstr (procura_import_row_get_code (row), ==, expected[i].code);
      g_assert_cmpstr (procura_import_row_get_title (row), ==, expected[i].title);
      g_assert_cmpstr (procura_import_row_get_agency (row), ==, "春雨社会工作服务中心");
      g_assert_cmpstr (procura_import_row_get_amount (row), ==, expected[i].amount);
      if (expected[i].problem == NULL)
        {
          g_assert_false (procura_import_row_has_problems (row));
          g_assert_null (problems[0]);
          /* a completed project comes in as in progress, which the row says */
          if (g_str_equal (expected[i].code, "G-002"))
            g_assert_nonnull (procura_import_row_get_notes (row)[0]);
          else
            g_assert_null (procura_import_row_get_notes (row)[0]);
        }
      else
        {
          g_assert_true (procura_import_row_has_problems (row));
          g_assert_nonnull (strstr (problems[0], expected[i].problem));
        }
    }

  /* the filter */
  g_assert_cmpuint (g_list_model_get_n_items (procura_import_dialog_get_shown_rows (dialog)), ==, 4);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.only-problems", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (procura_import_dialog_get_shown_rows (dialog)), ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.only-problems", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (procura_import_dialog_get_shown_rows (dialog)), ==, 4);

  /* nothing written by the preview, nor by "import all" with bad rows */
  g_assert_cmpuint (count_projects (f->store), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.all", NULL);
  iterate ();
  wait_until (import_dialog_ready, dialog);
  g_assert_cmpuint (count_projects (f->store), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));

  /* the valid rows, in one go */
  g_signal_connect (dialog, "imported", G_CALLBACK (imported_cb), &imported);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.valid-rows", NULL));
  iterate ();
  wait_until (import_dialog_done, &dialog);
  /* it closes once the rows are written */
  g_assert_true (dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (dialog)));
  wait_until (pointer_cleared, &dialog);

  g_assert_cmpuint (imported.n_calls, ==, 1);
  g_assert_cmpuint (imported.n_written, ==, 2);
  g_assert_cmpuint (imported.n_skipped, ==, 2);
  g_assert_cmpuint (count_projects (f->store), ==, 2);
  g_assert_true (has_project (f->store, "G-001"));
  g_assert_true (has_project (f->store, "G-002"));
  g_assert_false (has_project (f->store, "B-001"));
  g_assert_false (has_project (f->store, "B-002"));

  /* the ledger shows them */
  wait_until (window_loaded, window);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 2);

  close_window (window);
}

/* ---- OCDS release packages ---------------------------------------------------- */

static guint
count_entity (ProcuraStore            *store,
              const ProcuraEntityInfo *entity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = procura_store_list (store, entity, NULL, NULL, &error);

  g_assert_no_error (error);
  return records->len;
}

static GtkWidget *
find_actionable (GtkWidget  *widget,
                 const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_actionable (child, action);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Whether the button of action is there for the user: shown and
 * sensitive (a disabled action makes it insensitive). */
static gboolean
action_enabled (GtkWidget  *widget,
                const char *action)
{
  GtkWidget *button = find_actionable (widget, action);

  g_assert_nonnull (button);

  return gtk_widget_get_visible (button) && gtk_widget_is_sensitive (button);
}

/* The standard's contract example: one release, previewed, nothing
 * written until confirmed; then the project, numbered by its ocid. */
static void
test_import_ocds (GuiFixture    *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "ocds", "examples", "contract.json", NULL);
  ProcuraWindow *window = open_window (f);
  ProcuraImportDialog *dialog;
  Imported imported = { 0 };
  guint n_organizations = count_entity (f->store, PROCURA_ENTITY_ORGANIZATION);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);

  g_assert_null (procura_import_dialog_get_error_message (dialog));
  g_assert_true (procura_import_dialog_get_ocds (dialog));
  g_assert_cmpuint (procura_import_dialog_get_n_rows (dialog), ==, 1);
  g_assert_cmpuint (procura_import_dialog_get_n_problems (dialog), ==, 0);
  {
    g_autoptr(ProcuraImportRow) row = g_list_model_get_item (procura_import_dialog_get_rows (dialog), 0);

    g_assert_cmpstr (procura_import_row_get_label (row), ==, "ocds-213czf-000-00001 / ocds-213czf-000-00001-05-contract");
    /* a new project */
    g_assert_null (procura_import_row_get_project (row));
    g_assert_false (procura_import_row_has_problems (row));
    /* notes, if any, are not problems */
    g_assert_nonnull (procura_import_row_get_notes (row));
  }
  g_assert_true (action_enabled (GTK_WIDGET (dialog), "import.all"));

  /* the dry run wrote nothing */
  g_assert_cmpuint (count_projects (f->store), ==, 0);
  g_assert_cmpuint (count_entity (f->store, PROCURA_ENTITY_ORGANIZATION), ==, n_organizations);

  g_signal_connect (dialog, "imported", G_CALLBACK (imported_cb), &imported);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.all", NULL));
  iterate ();
  wait_until (import_dialog_done, &dialog);
  wait_until (pointer_cleared, &dialog);

  g_assert_cmpuint (imported.n_calls, ==, 1);
  g_assert_cmpuint (imported.n_written, ==, 1);
  g_assert_cmpuint (imported.n_skipped, ==, 0);
  g_assert_cmpuint (count_projects (f->store), ==, 1);
  g_assert_true (has_project (f->store, "ocds-213czf-000-00001"));

  /* the ledger shows it */
  wait_until (window_loaded, window);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 1);

  /* again: the release now maps to that project */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);
  {
    g_autoptr(ProcuraImportRow) row = g_list_model_get_item (procura_import_dialog_get_rows (dialog), 0);

    g_assert_cmpstr (procura_import_row_get_project (row), ==, "ocds-213czf-000-00001");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  close_window (window);
}

#define AGENCY_PARTY \
  "{\"id\": \"CN-USCI-52430000MJH4043203\", \"name\": \"湖南省行知社会工作服务中心\", " \
  "\"identifier\": {\"scheme\": \"CN-USCI\", \"id\": \"52430000MJH4043203\"}, \"roles\": [\"supplier\"]}"

/* A good release and one with an amount as a string: the problem names
 * the JSON path; nothing is written unless the valid one is asked for. */
static void
test_import_ocds_broken (GuiFixture    *f,
                         gconstpointer  data)
{
  static const char package[] =
    "{\"releases\": ["
    "{\"ocid\": \"ocds-test-1\", \"id\": \"r1\", \"date\": \"2024-01-01T00:00:00Z\", \"tag\": [\"award\"],"
    " \"parties\": [" AGENCY_PARTY "],"
    " \"tender\": {\"id\": \"t\", \"title\": \"助老服务\"},"
    " \"awards\": [{\"id\": \"a\", \"value\": {\"amount\": 1000.5, \"currency\": \"CNY\"},"
    "               \"suppliers\": [{\"id\": \"CN-USCI-52430000MJH4043203\"}]}]},"
    "{\"ocid\": \"ocds-test-2\", \"id\": \"r2\", \"awards\": [{\"id\": \"a\", \"value\": {\"amount\": \"1000\"}}]}"
    "]}";
  /* not named .json: told by its content */
  g_autofree char *path = g_build_filename (f->dir, "发布包.txt", NULL);
  ProcuraWindow *window = open_window (f);
  ProcuraImportDialog *dialog;
  Imported imported = { 0 };
  guint n_organizations = count_entity (f->store, PROCURA_ENTITY_ORGANIZATION);

  g_assert_true (g_file_set_contents (path, package, -1, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);

  g_assert_null (procura_import_dialog_get_error_message (dialog));
  g_assert_true (procura_import_dialog_get_ocds (dialog));
  g_assert_cmpuint (procura_import_dialog_get_n_rows (dialog), ==, 2);
  g_assert_cmpuint (procura_import_dialog_get_n_problems (dialog), ==, 1);
  {
    g_autoptr(ProcuraImportRow) good = g_list_model_get_item (procura_import_dialog_get_rows (dialog), 0);
    g_autoptr(ProcuraImportRow) bad = g_list_model_get_item (procura_import_dialog_get_rows (dialog), 1);

    g_assert_cmpstr (procura_import_row_get_label (good), ==, "ocds-test-1 / r1");
    g_assert_false (procura_import_row_has_problems (good));
    g_assert_cmpstr (procura_import_row_get_label (bad), ==, "ocds-test-2 / r2");
    g_assert_true (procura_import_row_has_problems (bad));
    g_assert_nonnull (strstr (procura_import_row_get_problems (bad)[0], "releases[1].awards[0].value.amount"));
    g_assert_nonnull (strstr (procura_import_row_get_problems (bad)[0], "must be a number"));
    g_assert_null (procura_import_row_get_project (bad));
  }

  /* "import all" refused; only the problem shown with the filter */
  g_assert_false (action_enabled (GTK_WIDGET (dialog), "import.all"));
  g_assert_true (action_enabled (GTK_WIDGET (dialog), "import.valid-rows"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_actionable (GTK_WIDGET (dialog), "import.valid-rows"))),
                   ==, "Import the 1 _Valid Release");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.only-problems", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (procura_import_dialog_get_shown_rows (dialog)), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "import.all", NULL);
  iterate ();
  wait_until (import_dialog_ready, dialog);
  g_assert_cmpuint (count_projects (f->store), ==, 0);
  g_assert_cmpuint (count_entity (f->store, PROCURA_ENTITY_ORGANIZATION), ==, n_organizations);

  /* the valid release, in one go */
  g_signal_connect (dialog, "imported", G_CALLBACK (imported_cb), &imported);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "import.valid-rows", NULL));
  iterate ();
  wait_until (import_dialog_done, &dialog);
  wait_until (pointer_cleared, &dialog);

  g_assert_cmpuint (imported.n_calls, ==, 1);
  g_assert_cmpuint (imported.n_written, ==, 1);
  g_assert_cmpuint (imported.n_skipped, ==, 1);
  g_assert_cmpuint (count_projects (f->store), ==, 1);
  g_assert_true (has_project (f->store, "ocds-test-1"));
  g_assert_false (has_project (f->store, "ocds-test-2"));

  close_window (window);
}

/* A file that is not there: the reason and the file's name. */
static void
test_import_unreadable (GuiFixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "没有这个文件.csv", NULL);
  ProcuraWindow *window = open_window (f);
  ProcuraImportDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);

  g_assert_nonnull (procura_import_dialog_get_error_message (dialog));
  g_assert_nonnull (strstr (procura_import_dialog_get_error_message (dialog), "没有这个文件.csv"));
  g_assert_cmpuint (procura_import_dialog_get_n_rows (dialog), ==, 0);

  gtk_window_destroy (GTK_WINDOW (dialog));
  close_window (window);
}

/* Only roles that may create projects import; the shortcuts. */
static void
test_import_by_role (GuiFixture    *f,
                     gconstpointer  data)
{
  g_autoptr(ProcuraApplication) app = procura_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;
  g_autofree char *path = write_ledger_csv (f);
  ProcuraWindow *window;
  GtkWindow *dialog;

  procura_application_set_data_dir (app, f->dir);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.import");
  g_assert_cmpstr (accels[0], ==, "<Control>i");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.print");
  g_assert_cmpstr (accels[0], ==, "<Control>p");

  window = procura_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_loaded, window);

  /* an auditor, an agency: no import */
  procura_application_set_account_role (app, "auditor", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path);
  iterate ();
  g_assert_null (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
  procura_application_set_account_role (app, "agency", "52420000MJH233402K");
  procura_window_import_file (window, path);
  iterate ();
  g_assert_null (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));

  /* an officer (and a local ledger) may */
  procura_application_set_account_role (app, "officer", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
  dialog = find_toplevel (PROCURA_TYPE_IMPORT_DIALOG);
  g_assert_nonnull (dialog);
  wait_until (import_dialog_ready, dialog);
  g_assert_cmpuint (procura_import_dialog_get_n_rows (PROCURA_IMPORT_DIALOG (dialog)), ==, 4);
  gtk_window_destroy (dialog);
  g_assert_cmpuint (count_projects (f->store), ==, 0);

  procura_application_set_account_role (app, NULL, NULL);
  close_window (window);
}

/* ---- export ----------------------------------------------------------------- */

typedef struct
{
  char *path;
} Exported;

static void
exported_cb (ProcuraExportDialog *dialog,
             const char          *path,
             Exported            *exported)
{
  g_free (exported->path);
  exported->path = g_strdup (path);
}

/* data: where the dialog is, NULL once it closed */
static gboolean
export_dialog_done (gpointer data)
{
  ProcuraExportDialog *dialog = *(ProcuraExportDialog **) data;

  return dialog == NULL || !procura_export_dialog_get_busy (dialog);
}

/* Opens win.export, sets the dialog's choices and exports to path. */
static void
export_to (ProcuraWindow *window,
           const char    *format,
           const char    *table,
           const char    *scope,
           const char    *path)
{
  ProcuraExportDialog *dialog;
  Exported exported = { NULL };

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = PROCURA_EXPORT_DIALOG (find_toplevel (PROCURA_TYPE_EXPORT_DIALOG));
  g_assert_nonnull (dialog);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.format", "s", format));
  if (table != NULL)
    g_object_set (dialog, "table", table, NULL);
  if (scope != NULL)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.scope", "s", scope));

  {
    g_autofree char *got_format = NULL;
    g_autofree char *got_table = NULL;

    g_object_get (dialog, "format", &got_format, "table", &got_table, NULL);
    g_assert_cmpstr (got_format, ==, format);
    if (table != NULL)
      g_assert_cmpstr (got_table, ==, table);
  }

  g_signal_connect (dialog, "exported", G_CALLBACK (exported_cb), &exported);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.to-file", "s", path));
  wait_until (export_dialog_done, &dialog);
  if (dialog != NULL)
    g_assert_null (procura_export_dialog_get_error_message (dialog));
  wait_until (pointer_cleared, &dialog);

  g_assert_cmpstr (exported.path, ==, path);
  g_free (exported.path);
}

static JsonObject *
parse_json_file (const char  *path,
                 JsonParser **out_parser)
{
  g_autoptr(GError) error = NULL;
  JsonParser *parser = json_parser_new ();

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  *out_parser = parser;

  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_export (GuiFixture       *f,
             gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  ProcuraWindow *window = open_window (f);
  guint n_projects = count_projects (f->store);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (n_projects, ==, GPOINTER_TO_UINT (data));
  g_settings_set_string (settings, "ocds-ocid-prefix", "ocds-t3st99");

  /* CSV: what the core writes, byte for byte: BOM, header, rows */
  {
    g_autofree char *path = g_build_filename (f->dir, "milestones.csv", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GString) expected = g_string_new (NULL);
    gsize length = 0;

    export_to (window, "csv", "milestones", "all", path);
    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF"));
    g_assert_true (procura_export_csv (f->store, PROCURA_EXPORT_TABLE_MILESTONES, NULL, expected, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (length, ==, expected->len);
    g_assert_cmpmem (contents, length, expected->str, expected->len);
  }

  /* XLSX: a zip */
  {
    g_autofree char *path = g_build_filename (f->dir, "book.xlsx", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;

    export_to (window, "xlsx", NULL, "all", path);
    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (length, >, 1000);
    g_assert_cmpmem (contents, 4, "PK\x03\x04", 4);

    /* and back in through the import preview: its first sheet is the
     * ledger, every project of which is in this ledger already */
    {
      ProcuraImportDialog *dialog;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
      dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
      g_assert_nonnull (dialog);
      wait_until (import_dialog_ready, dialog);
      g_assert_null (procura_import_dialog_get_error_message (dialog));
      g_assert_cmpstr (procura_import_dialog_get_encoding (dialog), ==, "XLSX");
      g_assert_cmpuint (procura_import_dialog_get_n_rows (dialog), ==, n_projects);
      g_assert_cmpuint (procura_import_dialog_get_n_problems (dialog), ==, n_projects);
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_assert_cmpuint (count_projects (f->store), ==, n_projects);
    }
  }

  /* OCDS release and record packages: every project, under the prefix
   * of the preferences */
  {
    static const struct { const char *format; const char *member; } packages[] = {
      { "ocds", "releases" },
      { "ocds-record", "records" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (packages); i++)
      {
        g_autofree char *name = g_strdup_printf ("%s.json", packages[i].format);
        g_autofree char *path = g_build_filename (f->dir, name, NULL);
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *package;
        JsonArray *items;

        export_to (window, packages[i].format, NULL, "all", path);
        package = parse_json_file (path, &parser);
        g_assert_true (json_object_has_member (package, packages[i].member));
        items = json_object_get_array_member (package, packages[i].member);
        g_assert_cmpuint (json_array_get_length (items), ==, n_projects);
        for (guint j = 0; j < json_array_get_length (items); j++)
          {
            JsonObject *item = json_array_get_object_element (items, j);

            g_assert_true (g_str_has_prefix (json_object_get_string_member (item, "ocid"), "ocds-t3st99-"));
          }
      }
  }

  /* the release package back in: under the same prefix every release is
   * one of the ledger's projects, none a new one */
  {
    g_autofree char *path = g_build_filename (f->dir, "ocds.json", NULL);
    ProcuraImportDialog *dialog;
    GListModel *rows;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", path));
    dialog = PROCURA_IMPORT_DIALOG (find_toplevel (PROCURA_TYPE_IMPORT_DIALOG));
    g_assert_nonnull (dialog);
    wait_until (import_dialog_ready, dialog);
    g_assert_null (procura_import_dialog_get_error_message (dialog));
    rows = procura_import_dialog_get_rows (dialog);
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n_projects);
    for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
      {
        g_autoptr(ProcuraImportRow) row = g_list_model_get_item (rows, i);

        g_assert_nonnull (procura_import_row_get_project (row));
      }
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_cmpuint (count_projects (f->store), ==, n_projects);
  }

  /* the projects the ledger shows */
  {
    g_autofree char *path = g_build_filename (f->dir, "shown.json", NULL);
    g_autoptr(JsonParser) parser = NULL;
    g_autoptr(ProcuraProjectRow) first = g_list_model_get_item (procura_window_get_ledger_model (window), 0);
    JsonObject *package;
    guint n_shown;

    procura_window_set_search_text (window, procura_project_row_get_code (first));
    wait_until (window_loaded, window);
    n_shown = procura_window_get_n_shown (window);
    g_assert_cmpuint (n_shown, >=, 1);
    g_assert_cmpuint (n_shown, <, n_projects);

    export_to (window, "ocds", NULL, "shown", path);
    package = parse_json_file (path, &parser);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (package, "releases")), ==, n_shown);
  }

  close_window (window);
  reset_settings ();
}

/* ---- print ------------------------------------------------------------------ */

static guint
pdf_pages (const char *path)
{
  const char *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *out = NULL;
  const char *pages;

  g_assert_cmpint (procura_test_run (NULL, NULL, &out, NULL, argv), ==, 0);
  pages = strstr (out, "\nPages:");
  g_assert_nonnull (pages);

  return (guint) g_ascii_strtoull (pages + strlen ("\nPages:"), NULL, 10);
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };
  char *out = NULL;

  g_assert_cmpint (procura_test_run (NULL, NULL, &out, NULL, argv), ==, 0);

  return out;
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_IS_REGULAR);
}

static gboolean
message_shown (gpointer data)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

/* text without white space */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));

  return g_string_free (out, FALSE);
}

static void
test_print_pdf (GuiFixture       *f,
                gconstpointer  data)
{
  g_autofree char *project_pdf = g_build_filename (f->dir, "project.pdf", NULL);
  g_autofree char *district_pdf = g_build_filename (f->dir, "district.pdf", NULL);
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autoptr(ProcuraProjectRow) row = NULL;
  ProcuraWindow *window;

  if (pdfinfo == NULL || pdftotext == NULL)
    {
      g_test_skip ("pdfinfo and pdftotext (poppler-utils) are not installed");
      return;
    }

  window = open_window (f);
  row = g_list_model_get_item (procura_window_get_ledger_model (window), 0);

  /* the project page's report, as "Export as PDF…" ends */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project", "s",
                                             procura_project_row_get_id (row)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-report-pdf", "(ss)",
                                             procura_project_row_get_id (row), project_pdf));
  wait_until (file_exists, project_pdf);
  g_assert_cmpuint (pdf_pages (project_pdf), >, 0);
  {
    g_autofree char *text = pdf_text (project_pdf);
    g_autofree char *flat_text = squeeze (text);
    g_autofree char *flat_title = squeeze (procura_project_row_get_title (row));

    /* the Chinese title, whatever the lines it wraps on */
    g_assert_nonnull (strstr (flat_text, flat_title));
  }

  /* the district summary */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-report-pdf", "(ss)", "", district_pdf));
  wait_until (file_exists, district_pdf);
  g_assert_cmpuint (pdf_pages (district_pdf), >, 0);

  /* an unknown project: the reason, no file */
  {
    g_autofree char *nothing = g_build_filename (f->dir, "nothing.pdf", NULL);
    GtkWindow *message;

    g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-report-pdf", "(ss)",
                                               "no-such-project", nothing));
    wait_until (message_shown, NULL);
    message = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
    g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (message)), "no-such-project"));
    g_assert_false (g_file_test (nothing, G_FILE_TEST_EXISTS));
    gtk_window_destroy (message);
  }

  close_window (window);
}

static void
count_relayout_cb (const char     *log_domain,
                   GLogLevelFlags  log_level,
                   const char     *message,
                   gpointer        user_data)
{
  if (strstr (message, "Laying the report out again") != NULL)
    (*(guint *) user_data)++;
}

/* The district summary is laid out for A4 in the worker that reads it:
 * the operation gets the page count of procura_report_document_paginate()
 * at A4 (the PDF's pages) and lays nothing out again on the main thread. */
static void
test_print_district_pages (GuiFixture    *f,
                           gconstpointer  data)
{
  g_autofree char *district_pdf = g_build_filename (f->dir, "district.pdf", NULL);
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autoptr(ProcuraReportDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraWindow *window;
  guint n_pages;
  guint n_relayouts = 0;
  guint handler;

  if (pdfinfo == NULL)
    {
      g_test_skip ("pdfinfo (poppler-utils) is not installed");
      return;
    }

  doc = procura_report_document_new_district (f->store, &error);
  g_assert_no_error (error);
  n_pages = procura_report_document_paginate (doc, NULL, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);
  /* enough projects for a table over several pages */
  g_assert_cmpuint (n_pages, >, 1);

  handler = g_log_set_handler ("procura-print", G_LOG_LEVEL_DEBUG, count_relayout_cb, &n_relayouts);
  window = open_window (f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-report-pdf", "(ss)", "", district_pdf));
  wait_until (file_exists, district_pdf);
  g_log_remove_handler ("procura-print", handler);

  g_assert_cmpuint (pdf_pages (district_pdf), ==, n_pages);
  g_assert_cmpuint (n_relayouts, ==, 0);

  close_window (window);
}

/* GtkPrintUnixDialog, by name: its header is in gtk4-unix-print */
static GtkWindow *
find_print_dialog (guint *n_found)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWindow *found = NULL;

  *n_found = 0;
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_str_equal (G_OBJECT_TYPE_NAME (window), "GtkPrintUnixDialog") &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          found = window;
          (*n_found)++;
        }
    }

  return found;
}

static gboolean
print_dialog_shown (gpointer data)
{
  guint n;

  return find_print_dialog (&n) != NULL;
}

static gboolean
print_dialog_gone (gpointer data)
{
  guint n;

  return find_print_dialog (&n) == NULL;
}

/* Print…: the report is read and laid out in a worker, and win.print is
 * off meanwhile (a second press starts no second job); the print dialog
 * comes once it is ready, and Print… works again. */
static void
test_print_dialog (GuiFixture    *f,
                   gconstpointer  data)
{
  ProcuraWindow *window = open_window (f);

  for (guint round = 0; round < 2; round++)
    {
      GtkWindow *dialog;
      guint n_dialogs;

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.print", NULL));
      gtk_widget_activate_action (GTK_WIDGET (window), "win.print", NULL);
      wait_until (print_dialog_shown, NULL);
      /* time for a second job to show its dialog, had it started */
      for (guint i = 0; i < 20; i++)
        {
          iterate ();
          g_usleep (10000);
        }
      dialog = find_print_dialog (&n_dialogs);
      g_assert_cmpuint (n_dialogs, ==, 1);

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
      G_GNUC_END_IGNORE_DEPRECATIONS
      wait_until (print_dialog_gone, NULL);
    }

  close_window (window);
}

/* ---- preferences ------------------------------------------------------------ */

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_ocid_prefix (GuiFixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  GtkWidget *prefs = procura_preferences_window_new (NULL, f->dir);
  GtkWidget *row;
  static const char * const invalid[] = { "", "ocds prefix", "ocds-中文", "ocds_x" };

  gtk_window_present (GTK_WINDOW (prefs));
  iterate ();
  row = find_named (prefs, "ocid_prefix_row");
  g_assert_true (ADW_IS_ENTRY_ROW (row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "ocds-procura");

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *kept = NULL;

      gtk_editable_set_text (GTK_EDITABLE (row), invalid[i]);
      g_signal_emit_by_name (row, "apply");
      kept = g_settings_get_string (settings, "ocds-ocid-prefix");
      g_assert_cmpstr (kept, ==, "ocds-procura");
      g_assert_true (gtk_widget_has_css_class (row, "error"));
    }

  gtk_editable_set_text (GTK_EDITABLE (row), "ocds-a1b2c3");
  g_assert_false (gtk_widget_has_css_class (row, "error"));
  g_signal_emit_by_name (row, "apply");
  {
    g_autofree char *kept = g_settings_get_string (settings, "ocds-ocid-prefix");

    g_assert_cmpstr (kept, ==, "ocds-a1b2c3");
  }
  {
    g_autofree char *used = procura_export_dup_ocid_prefix ();

    g_assert_cmpstr (used, ==, "ocds-a1b2c3");
  }

  gtk_window_destroy (GTK_WINDOW (prefs));
  reset_settings ();
}

/* ---- screenshots ------------------------------------------------------------ */

static void
save_screenshot (GtkWidget  *widget,
                 const char *dir,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_t bounds;

  for (guint i = 0; i < 10; i++)
    {
      gtk_test_widget_wait_for_draw (widget);
      iterate ();
    }

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gdk_paintable_get_intrinsic_width (paintable),
                          gdk_paintable_get_intrinsic_height (paintable));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
}

/* PROCURA_SCREENSHOT_DIR=… LANG=zh_CN.UTF-8: the dialogs as PNG files. */
static void
test_screenshots (GuiFixture    *f,
                  gconstpointer  data)
{
  const char *dir = g_getenv ("PROCURA_SCREENSHOT_DIR");
  g_autofree char *csv = NULL;
  g_autoptr(ProcuraProjectRow) row = NULL;
  ProcuraWindow *window;
  GtkWindow *dialog;

  if (dir == NULL || dir[0] == '\0')
    {
      g_test_skip ("PROCURA_SCREENSHOT_DIR is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  window = open_window (f);

  /* the import preview of a file with good and bad rows */
  {
    g_autofree char *uscc = make_uscc (11);
    g_autofree char *text = g_strdup_printf (
      "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,类别,采购方式,状态,合同金额(万元),开始日期,结束日期,已支付(元),备注\r\n"
      "S-001,长者饭堂服务项目,春雨社会工作服务中心,%s," DEMO_BUYER ",养老服务,询价,草稿,12.5,2026/1/1,2026年12月31日,,\r\n"
      "S-002,坏日期项目,春雨社会工作服务中心,%s," DEMO_BUYER ",养老服务,询价,草稿,8,2026-13-01,2026-12-31,,\r\n"
      "S-003,青少年四点半课堂,春雨社会工作服务中心,%s," DEMO_BUYER ",儿童青少年服务,询价,草稿,10,2026-02-01,2026-12-31,,\r\n"
      "S-004,社区协商议事项目,无名机构,," DEMO_BUYER ",社区治理,询价,进行了,8,2026-01-01,2026-12-31,,\r\n"
      "S-001,重复编号项目,春雨社会工作服务中心,%s," DEMO_BUYER ",养老服务,询价,草稿,8,2026-01-01,2026-12-31,,\r\n",
      uscc, uscc, uscc, uscc);

    csv = g_build_filename (f->dir, "街道项目台账.csv", NULL);
    g_assert_true (g_file_set_contents (csv, text, -1, NULL));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", csv));
    dialog = find_toplevel (PROCURA_TYPE_IMPORT_DIALOG);
    wait_until (import_dialog_ready, dialog);
    save_screenshot (GTK_WIDGET (dialog), dir, "import-preview.png");
    gtk_widget_activate_action (GTK_WIDGET (dialog), "import.only-problems", NULL);
    save_screenshot (GTK_WIDGET (dialog), dir, "import-problems.png");
    gtk_window_destroy (dialog);
  }

  /* the preview of an OCDS release package: a release with notes, one
   * with a problem */
  {
    g_autofree char *example = g_test_build_filename (G_TEST_DIST, "fixtures", "ocds", "examples",
                                                      "implementation.json", NULL);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.import-file", "s", example));
    dialog = find_toplevel (PROCURA_TYPE_IMPORT_DIALOG);
    wait_until (import_dialog_ready, dialog);
    save_screenshot (GTK_WIDGET (dialog), dir, "import-ocds.png");
    gtk_window_destroy (dialog);
  }

  /* the export dialog, from the ledger and from a project */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = find_toplevel (PROCURA_TYPE_EXPORT_DIALOG);
  save_screenshot (GTK_WIDGET (dialog), dir, "export-csv.png");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "export.format", "s", "ocds");
  save_screenshot (GTK_WIDGET (dialog), dir, "export-ocds.png");
  gtk_window_destroy (dialog);

  row = g_list_model_get_item (procura_window_get_ledger_model (window), 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project", "s",
                                             procura_project_row_get_id (row)));
  save_screenshot (GTK_WIDGET (window), dir, "project-page.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  dialog = find_toplevel (PROCURA_TYPE_EXPORT_DIALOG);
  save_screenshot (GTK_WIDGET (dialog), dir, "export-project.png");
  gtk_window_destroy (dialog);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "dashboard"));
  save_screenshot (GTK_WIDGET (window), dir, "dashboard.png");

  /* the preferences with a refused prefix */
  {
    GtkWidget *prefs = procura_preferences_window_new (GTK_WINDOW (window), f->dir);
    GtkWidget *prefix_row;

    gtk_window_present (GTK_WINDOW (prefs));
    prefix_row = find_named (prefs, "ocid_prefix_row");
    gtk_editable_set_text (GTK_EDITABLE (prefix_row), "ocds_前缀");
    save_screenshot (prefs, dir, "preferences-prefix.png");
    gtk_window_destroy (GTK_WINDOW (prefs));
  }

  close_window (window);
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

  /* gtk_test_init() chose en_US; screenshots show the environment's
   * locale */
  if (g_getenv ("PROCURA_SCREENSHOT_DIR") != NULL)
    setlocale (LC_ALL, "");
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add ("/interchange/import/preview", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_import_preview, fixture_teardown);
  g_test_add ("/interchange/import/by-role", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_import_by_role, fixture_teardown);
  g_test_add ("/interchange/import/unreadable", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_import_unreadable, fixture_teardown);
  g_test_add ("/interchange/import/ocds", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_import_ocds, fixture_teardown);
  g_test_add ("/interchange/import/ocds-broken", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_import_ocds_broken, fixture_teardown);
  g_test_add ("/interchange/export", GuiFixture, GUINT_TO_POINTER (12),
              fixture_setup, test_export, fixture_teardown);
  g_test_add ("/interchange/print-pdf", GuiFixture, GUINT_TO_POINTER (8),
              fixture_setup, test_print_pdf, fixture_teardown);
  g_test_add ("/interchange/print-district-pages", GuiFixture, GUINT_TO_POINTER (120),
              fixture_setup, test_print_district_pages, fixture_teardown);
  g_test_add ("/interchange/print-dialog", GuiFixture, GUINT_TO_POINTER (120),
              fixture_setup, test_print_dialog, fixture_teardown);
  g_test_add ("/interchange/ocid-prefix", GuiFixture, GUINT_TO_POINTER (0),
              fixture_setup, test_ocid_prefix, fixture_teardown);
  g_test_add ("/interchange/screenshots", GuiFixture,
              GUINT_TO_POINTER (g_getenv ("PROCURA_SCREENSHOT_DIR") != NULL ? 30 : 0),
              fixture_setup, test_screenshots, fixture_teardown);

  return g_test_run ();
}
