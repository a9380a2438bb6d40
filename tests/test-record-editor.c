/* test-record-editor.c — the generic editor form, driven as a person would
 *
 * Runs under a display (xvfb-run in build-aux/test.sh). Each test opens
 * ProcuraRecordEditor on a store of its own, types into its rows through
 * procura_record_editor_set_text() (which goes through the rows' own
 * change signals), and checks what the form shows — the core's messages
 * next to the field they name, Save's sensitivity — and what a save
 * writes: the record, only the changed fields, its history.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "procura-cells.h"
#include "procura-error.h"
#include "procura-query.h"
#include "procura-record-editor.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define VALID_USCC   "52420000MJH233402K"
#define INVALID_USCC "52420000MJH233402A"   /* wrong check character */

typedef struct
{
  Fixture    f;
  GtkWindow *parent;
} EditorFixture;

static void
editor_fixture_setup (EditorFixture *ef,
                      gconstpointer  data)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-record-editor-XXXXXX");

  fixture_open (&ef->f, dir);
  ef->parent = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (ef->parent, 800, 600);
  gtk_window_present (ef->parent);
}

static void
editor_fixture_teardown (EditorFixture *ef,
                         gconstpointer  data)
{
  g_autofree char *dir = g_strdup (ef->f.dir);

  gtk_window_destroy (ef->parent);
  fixture_close (&ef->f);
  procura_test_remove_tree (dir);
}

/* ---- helpers ----------------------------------------------------------- */

static void
iterate (void)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
wait_for_draw (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  iterate ();
}

/* Lets the debounced dry run happen as it does for a person typing. */
static void
wait_for_check (void)
{
  gint64 until = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* Opens an editor as the app does: hidden fields set, then presented. */
static ProcuraRecordEditor *
open_editor_hiding (EditorFixture           *ef,
                    const ProcuraEntityInfo *entity,
                    const char              *id,
                    ProcuraRecord           *defaults,
                    const char * const      *hidden)
{
  ProcuraRecordEditor *editor = procura_record_editor_new (ef->parent, ef->f.store, entity, id, defaults);

  g_assert_true (PROCURA_IS_RECORD_EDITOR (editor));
  if (hidden != NULL)
    procura_record_editor_set_hidden_fields (editor, hidden);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == ef->parent);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (editor)));
  gtk_window_present (GTK_WINDOW (editor));
  wait_for_draw (GTK_WIDGET (editor));

  return editor;
}

static ProcuraRecordEditor *
open_editor (EditorFixture           *ef,
             const ProcuraEntityInfo *entity,
             const char              *id,
             ProcuraRecord           *defaults)
{
  return open_editor_hiding (ef, entity, id, defaults, NULL);
}

/* The row titled `title` (not the message row below it). */
static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_PREFERENCES_ROW (child) &&
          G_OBJECT_TYPE (child) != ADW_TYPE_PREFERENCES_ROW &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;

      if ((found = find_row (child, title)) != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_save_button (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), "editor.save") == 0)
        return child;

      if ((found = find_save_button (child)) != NULL)
        return found;
    }

  return NULL;
}

/* The button labelled `label` (with its mnemonic underscore). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;

      if ((found = find_button (child, label)) != NULL)
        return found;
    }

  return NULL;
}

/* The dialog shown in front of window, if any. */
static AdwMessageDialog *
find_dialog_for (GtkWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (w) == window &&
          gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }

  return NULL;
}

static gboolean
contains_casefold (const char *haystack,
                   const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack, -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
saved_cb (ProcuraRecordEditor *editor,
          const char          *id,
          char               **out_id)
{
  g_free (*out_id);
  *out_id = g_strdup (id);
}

/* Histories of one record: field → number of rows. */
static guint
history_rows_for (ProcuraStore *store,
                  const char   *id,
                  const char   *field,
                  const char   *new_value)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  history = procura_store_query_history (store, id, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < history->len; i++)
    {
      ProcuraHistoryEntry *entry = g_ptr_array_index (history, i);

      if (g_strcmp0 (entry->record_id, id) == 0 && g_strcmp0 (entry->field, field) == 0 &&
          (new_value == NULL || g_strcmp0 (entry->new_value, new_value) == 0))
        n++;
    }

  return n;
}

/* ---- tests ------------------------------------------------------------- */

/* A field's own format is checked as it is typed, before the rest of the
 * form is filled in: a bad credit code, telephone number or e-mail address
 * is named next to its field at once, and the form-wide message sits below
 * the form so the rows do not move. */
static void
test_formats_first (EditorFixture *ef,
                    gconstpointer  data)
{
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  GtkWidget *uscc_row = find_row (GTK_WIDGET (editor), "Unified social credit code");
  GtkWidget *name_row = find_row (GTK_WIDGET (editor), "Name");
  graphene_point_t before_point, after_point;
  const char *message;

  g_assert_nonnull (name_row);
  wait_for_check ();
  g_assert_true (gtk_widget_compute_point (name_row, GTK_WIDGET (editor), &GRAPHENE_POINT_INIT (0, 0), &before_point));

  /* only the code typed, name and type still empty */
  g_assert_true (procura_record_editor_set_text (editor, "uscc", "12345"));
  wait_for_check ();
  message = procura_record_editor_get_error (editor, "uscc");
  g_assert_nonnull (message);
  g_assert_true (strstr (message, "18") != NULL);
  g_assert_true (gtk_widget_has_css_class (uscc_row, "error"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  g_assert_true (procura_record_editor_set_text (editor, "uscc", INVALID_USCC));
  wait_for_check ();
  message = procura_record_editor_get_error (editor, "uscc");
  g_assert_nonnull (message);
  g_assert_true (strstr (message, "K") != NULL);

  g_assert_true (procura_record_editor_set_text (editor, "contact_phone", "abc"));
  g_assert_true (procura_record_editor_set_text (editor, "contact_email", "abc"));
  wait_for_check ();
  g_assert_nonnull (procura_record_editor_get_error (editor, "contact_phone"));
  g_assert_nonnull (procura_record_editor_get_error (editor, "contact_email"));

  g_assert_true (procura_record_editor_set_text (editor, "contact_phone", "0731-28812345"));
  g_assert_true (procura_record_editor_set_text (editor, "contact_email", "qixin@example.org"));
  wait_for_check ();
  g_assert_null (procura_record_editor_get_error (editor, "contact_phone"));
  g_assert_null (procura_record_editor_get_error (editor, "contact_email"));

  /* valid code: the form-wide hint (name required) shows, below the rows */
  g_assert_true (procura_record_editor_set_text (editor, "uscc", VALID_USCC));
  wait_for_check ();
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));
  g_assert_nonnull (procura_record_editor_get_message (editor));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_test_widget_wait_for_draw (GTK_WIDGET (editor));
  g_assert_true (gtk_widget_compute_point (name_row, GTK_WIDGET (editor), &GRAPHENE_POINT_INIT (0, 0), &after_point));
  g_assert_cmpfloat (after_point.y, ==, before_point.y);

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_organization_invalid_uscc (EditorFixture *ef,
                                gconstpointer  data)
{
  g_autoptr(ProcuraRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  GtkWidget *save_button = find_save_button (GTK_WIDGET (editor));
  GtkWidget *uscc_row = find_row (GTK_WIDGET (editor), "Unified social credit code");
  const char *message;
  Counts before;
  guint n_can_save = 0;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "New Organization");
  g_assert_nonnull (save_button);
  g_assert_nonnull (uscc_row);
  g_assert_true (ADW_IS_ENTRY_ROW (uscc_row));
  g_assert_true (ADW_IS_COMBO_ROW (find_row (GTK_WIDGET (editor), "Organization type")));
  g_signal_connect (editor, "notify::can-save", G_CALLBACK (count_cb), &n_can_save);
  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);

  /* nothing typed: nothing to save, nothing shouted */
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_false (gtk_widget_get_sensitive (save_button));
  g_assert_null (procura_record_editor_get_error (editor, "name"));
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));

  g_assert_true (procura_record_editor_set_text (editor, "name", "天元区齐心社会工作服务中心"));
  g_assert_true (procura_record_editor_set_text (editor, "kind", "social_work_agency"));
  g_assert_true (procura_record_editor_set_text (editor, "uscc", INVALID_USCC));
  g_assert_true (procura_record_editor_get_dirty (editor));
  wait_for_check ();

  /* the core's check-character error, next to the field */
  message = procura_record_editor_get_error (editor, "uscc");
  g_assert_nonnull (message);
  g_assert_true (contains_casefold (message, "credit code"));
  g_assert_true (strstr (message, "K") != NULL);   /* says what the check character should be */
  g_assert_true (gtk_widget_has_css_class (uscc_row, "error"));
  g_assert_null (procura_record_editor_get_error (editor, "name"));
  g_assert_null (procura_record_editor_get_message (editor));
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_false (gtk_widget_get_sensitive (save_button));

  /* the save action does nothing while invalid */
  before = counts (&ef->f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  assert_counts_delta (before, counts (&ef->f), 0, 0, 0);
  g_assert_null (saved_id);

  /* fixed: the error goes, Save becomes possible */
  g_assert_true (procura_record_editor_set_text (editor, "uscc", VALID_USCC));
  wait_for_check ();
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));
  g_assert_false (gtk_widget_has_css_class (uscc_row, "error"));
  g_assert_true (procura_record_editor_get_can_save (editor));
  g_assert_true (gtk_widget_get_sensitive (save_button));
  g_assert_cmpuint (n_can_save, ==, 1);

  /* saved through the write path: the record and its history */
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  iterate ();
  g_assert_null (editor);   /* closed */
  g_assert_nonnull (saved_id);

  stored = procura_store_get (ef->f.store, PROCURA_ENTITY_ORGANIZATION, saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (stored, "name"), ==, "天元区齐心社会工作服务中心");
  g_assert_cmpstr (procura_record_get_string (stored, "uscc"), ==, VALID_USCC);
  g_assert_cmpstr (procura_record_get_string (stored, "kind"), ==, "social_work_agency");
  g_assert_false (procura_record_has (stored, "address"));
  g_assert_cmpuint (history_rows_for (ef->f.store, saved_id, "name", "天元区齐心社会工作服务中心"), ==, 1);
  g_assert_cmpuint (history_rows_for (ef->f.store, saved_id, "uscc", VALID_USCC), ==, 1);
  g_assert_cmpuint (history_rows_for (ef->f.store, saved_id, "kind", "social_work_agency"), ==, 1);
  assert_check_passes (&ef->f);
}

static void
test_organization_duplicate_uscc (EditorFixture *ef,
                                  gconstpointer  data)
{
  g_autofree char *uscc = NULL;
  g_autofree char *org = add_org_full (&ef->f, "已有机构", "social_work_agency", &uscc);
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  const char *message;

  g_assert_nonnull (org);
  procura_record_editor_set_text (editor, "name", "新机构");
  procura_record_editor_set_text (editor, "kind", "Social work agency");   /* a label works too */
  procura_record_editor_set_text (editor, "uscc", uscc);

  message = procura_record_editor_get_error (editor, "uscc");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Unified social credit code"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_save_race (EditorFixture *ef,
                gconstpointer  data)
{
  g_autoptr(ProcuraRecord) rival = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  Counts before;

  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);
  procura_record_editor_set_text (editor, "name", "甲机构");
  procura_record_editor_set_text (editor, "kind", "social_work_agency");
  procura_record_editor_set_text (editor, "uscc", VALID_USCC);
  g_assert_true (procura_record_editor_get_can_save (editor));

  /* meanwhile the code is taken (another window, a sync) */
  procura_record_set_string (rival, "name", "乙机构");
  procura_record_set_string (rival, "uscc", VALID_USCC);
  procura_record_set_string (rival, "kind", "other");
  g_free (insert_ok (&ef->f, rival));

  /* refused: the message is shown, the form stays open with the input */
  before = counts (&ef->f);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_false (procura_record_editor_save (editor, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE);
  iterate ();
  g_assert_nonnull (editor);
  g_assert_null (saved_id);
  g_assert_nonnull (procura_record_editor_get_error (editor, "uscc"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  assert_counts_delta (before, counts (&ef->f), 0, 0, 0);

  gtk_window_destroy (GTK_WINDOW (editor));
  g_assert_null (editor);
}

static void
test_required_hint (EditorFixture *ef,
                    gconstpointer  data)
{
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  Counts before = counts (&ef->f);
  const char *message;

  /* a missing field nobody has reached yet is said at the top, not in red
   * next to the field */
  procura_record_editor_set_text (editor, "name", "某机构");
  message = procura_record_editor_get_message (editor);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Unified social credit code"));
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* asked to save anyway: now it is the field's error */
  g_assert_false (procura_record_editor_save (editor, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED);
  g_assert_true (g_str_has_prefix (error->message, "Unified social credit code"));
  g_assert_nonnull (procura_record_editor_get_error (editor, "uscc"));
  g_assert_null (procura_record_editor_get_message (editor));
  g_assert_null (procura_record_editor_get_saved_id (editor));
  assert_counts_delta (before, counts (&ef->f), 0, 0, 0);

  /* the kind, never touched, is the next thing to say */
  procura_record_editor_set_text (editor, "uscc", VALID_USCC);
  message = procura_record_editor_get_message (editor);
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Organization type"));
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));

  gtk_window_destroy (GTK_WINDOW (editor));
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child : find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Organizations are many and their names start alike: the agency is
 * chosen from a drop-down whose search matches the distinctive part. */
static void
test_agency_search (EditorFixture *ef,
                    gconstpointer  data)
{
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_PROJECT, project, NULL);
  GtkWidget *row = find_row (GTK_WIDGET (editor), "Contracted agency");
  GtkWidget *drop = NULL;
  static const struct { const char *name, *key_start; } keys[] = {
    { "株洲市天元区至善社会工作服务中心", "至善社会工作服务中心 株洲市天元区至善社会工作服务中心" },
    { "湖南省众乐社会工作发展中心", "众乐社会工作发展中心 " },
    { "内蒙古自治区阳光社工站", "阳光社工站 " },
    { "荷塘街道社区服务中心", "社区服务中心 " },
    { "社区服务中心", "社区服务中心" },
    { "爱心家园社区服务中心", "爱心家园社区服务中心" },
    { "湖南省", "湖南省" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *key = procura_name_search_key (keys[i].name);

      g_test_message ("%s → %s", keys[i].name, key);
      g_assert_true (g_str_has_prefix (key, keys[i].key_start));
    }

  g_assert_nonnull (row);
  g_assert_true (ADW_IS_ACTION_ROW (row));
  drop = find_descendant (row, GTK_TYPE_DROP_DOWN);
  g_assert_nonnull (drop);
  g_assert_true (gtk_drop_down_get_enable_search (GTK_DROP_DOWN (drop)));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (drop))), >, 1);

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_project_value_in_wan (EditorFixture *ef,
                           gconstpointer  data)
{
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  g_autofree char *text = NULL;
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_PROJECT, project, NULL);
  const char *message;
  Counts before;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "Edit Project");
  g_assert_cmpstr (procura_record_editor_get_record_id (editor), ==, project);
  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);

  /* money is shown formatted, dates canonically */
  text = procura_record_editor_dup_text (editor, "value");
  g_assert_cmpstr (text, ==, "¥100,000.00");
  g_clear_pointer (&text, g_free);
  text = procura_record_editor_dup_text (editor, "start_date");
  g_assert_cmpstr (text, ==, FIXTURE_START);
  g_clear_pointer (&text, g_free);
  g_assert_false (procura_record_editor_get_dirty (editor));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* the same date written as people write it is no change */
  procura_record_editor_set_text (editor, "start_date", "2021年1月1日");
  g_assert_null (procura_record_editor_get_error (editor, "start_date"));
  g_assert_false (procura_record_editor_get_dirty (editor));
  procura_record_editor_set_text (editor, "start_date", "2021/1/1");
  g_assert_null (procura_record_editor_get_error (editor, "start_date"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* what the money parser refuses is said at once */
  procura_record_editor_set_text (editor, "value", "12.5.3万");
  message = procura_record_editor_get_error (editor, "value");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Contract value"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* a period ending before it starts: the core's rule, on end_date */
  procura_record_editor_set_text (editor, "value", "12.5万");
  procura_record_editor_set_text (editor, "end_date", "2020-06-30");
  message = procura_record_editor_get_error (editor, "end_date");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "End date"));
  g_assert_null (procura_record_editor_get_error (editor, "value"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  procura_record_editor_set_text (editor, "end_date", "2021-12-31");
  g_assert_null (procura_record_editor_get_error (editor, "end_date"));

  /* the workflow offers the next states only */
  g_assert_true (procura_record_editor_set_text (editor, "status", "draft"));
  g_assert_nonnull (procura_record_editor_get_error (editor, "status"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_true (procura_record_editor_set_text (editor, "status", "active"));
  g_assert_null (procura_record_editor_get_error (editor, "status"));

  /* 12.5万 is ¥125,000.00; only the value is written */
  g_assert_true (procura_record_editor_get_can_save (editor));
  before = counts (&ef->f);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  iterate ();
  g_assert_null (editor);
  g_assert_cmpstr (saved_id, ==, project);
  assert_counts_delta (before, counts (&ef->f), 1, 1, 1);

  stored = procura_store_get (ef->f.store, PROCURA_ENTITY_PROJECT, project, &error);
  g_assert_no_error (error);
  g_assert_cmpint (procura_record_get_int (stored, "value", 0), ==, G_GINT64_CONSTANT (12500000));
  g_assert_cmpuint (history_rows_for (ef->f.store, project, "value", "12500000"), ==, 1);
  assert_check_passes (&ef->f);
}

static void
test_amendment_limit (EditorFixture *ef,
                      gconstpointer  data)
{
  static const char * const hidden[] = { "project_id", NULL };
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) defaults = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);
  g_autoptr(GPtrArray) amendments = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  ProcuraRecordEditor *editor;
  const char *message;

  procura_record_set_string (defaults, "project_id", project);
  editor = open_editor_hiding (ef, PROCURA_ENTITY_AMENDMENT, NULL, defaults, hidden);
  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);
  g_assert_false (gtk_widget_get_visible (find_row (GTK_WIDGET (editor), "Project")));

  procura_record_editor_set_text (editor, "date", "2021/6/1");
  procura_record_editor_set_text (editor, "rationale", "扩大服务范围，\n增加两个社区。");
  /* ¥15,000.00 more on ¥100,000.00: over the 10 % limit */
  procura_record_editor_set_text (editor, "value_delta", "1.5万");
  wait_for_check ();

  message = procura_record_editor_get_error (editor, "value_delta");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Change in value"));
  g_assert_true (strstr (message, "10%") != NULL);
  g_assert_true (strstr (message, "¥15,000.00") != NULL);
  g_assert_null (procura_record_editor_get_message (editor));
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_true (gtk_widget_has_css_class (find_row (GTK_WIDGET (editor), "Change in value"), "error"));

  /* within the limit */
  procura_record_editor_set_text (editor, "value_delta", "8,000.00元");
  g_assert_null (procura_record_editor_get_error (editor, "value_delta"));
  g_assert_true (procura_record_editor_get_can_save (editor));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  iterate ();
  g_assert_nonnull (saved_id);

  amendments = procura_store_list (ef->f.store, PROCURA_ENTITY_AMENDMENT, "project_id", project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (amendments->len, ==, 1);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (amendments, 0)), ==, saved_id);
  g_assert_cmpint (procura_record_get_int (g_ptr_array_index (amendments, 0), "value_delta", 0), ==, 800000);
  g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (amendments, 0), "date"), ==, "2021-06-01");
  g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (amendments, 0), "rationale"), ==,
                   "扩大服务范围，\n增加两个社区。");
}

static void
test_references_and_workflow (EditorFixture *ef,
                              gconstpointer  data)
{
  static const char * const hidden[] = { "project_id", NULL };
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autofree char *other = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autofree char *m1 = add_milestone (&ef->f, project, "第一季度报告", "2021-03-31");
  g_autofree char *m2 = add_milestone (&ef->f, other, "其他项目的里程碑", "2021-03-31");
  g_autoptr(ProcuraRecord) defaults = procura_record_new (PROCURA_ENTITY_PAYMENT, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(ProcuraRecord) stored = NULL;
  ProcuraRecordEditor *editor;
  const char *message;

  procura_record_set_string (defaults, "project_id", project);
  editor = open_editor_hiding (ef, PROCURA_ENTITY_PAYMENT, NULL, defaults, hidden);
  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);

  /* a new tranche starts as planned: no state to choose */
  g_assert_null (find_row (GTK_WIDGET (editor), "Status"));

  /* milestones of this project only, by title */
  g_assert_true (procura_record_editor_set_text (editor, "milestone_id", m2));
  g_assert_nonnull (procura_record_editor_get_error (editor, "milestone_id"));
  g_assert_true (procura_record_editor_set_text (editor, "milestone_id", "第一季度报告 · 2021-03-31"));
  g_assert_null (procura_record_editor_get_error (editor, "milestone_id"));
  text = procura_record_editor_dup_text (editor, "milestone_id");
  g_assert_true (g_str_has_prefix (text, "第一季度报告"));

  procura_record_editor_set_text (editor, "title", "首期款");
  procura_record_editor_set_text (editor, "planned_amount", "¥30,000");
  procura_record_editor_set_text (editor, "planned_date", "2021年4月15日");
  g_assert_true (procura_record_editor_get_can_save (editor));
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  iterate ();

  stored = procura_store_get (ef->f.store, PROCURA_ENTITY_PAYMENT, saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (stored, "milestone_id"), ==, m1);
  g_assert_cmpstr (procura_record_get_string (stored, "status"), ==, "planned");
  g_assert_cmpint (procura_record_get_int (stored, "planned_amount", 0), ==, 3000000);
  g_assert_cmpstr (procura_record_get_string (stored, "planned_date"), ==, "2021-04-15");

  /* editing it: the state offers where it may go next, nothing else */
  editor = open_editor (ef, PROCURA_ENTITY_PAYMENT, saved_id, NULL);
  g_assert_true (ADW_IS_COMBO_ROW (find_row (GTK_WIDGET (editor), "Status")));
  procura_record_editor_set_text (editor, "status", "paid");
  g_assert_nonnull (procura_record_editor_get_error (editor, "status"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  /* payable only once the milestone is accepted: the core says so */
  procura_record_editor_set_text (editor, "status", "payable");
  message = procura_record_editor_get_error (editor, "status");
  g_assert_nonnull (message);
  g_assert_true (strstr (message, "accepted") != NULL);
  g_assert_false (procura_record_editor_get_can_save (editor));
  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
test_scoped_references (EditorFixture *ef,
                        gconstpointer  data)
{
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autofree char *other = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autofree char *m1 = add_milestone (&ef->f, project, "第一季度报告", "2021-03-31");
  g_autofree char *m2 = add_milestone (&ef->f, other, "其他项目的里程碑", "2021-06-30");
  g_autoptr(ProcuraRecord) stored = NULL;
  g_autoptr(ProcuraRecord) p1 = get_ok (&ef->f, PROCURA_ENTITY_PROJECT, project);
  g_autoptr(ProcuraRecord) p2 = get_ok (&ef->f, PROCURA_ENTITY_PROJECT, other);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *saved_id = NULL;
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_PAYMENT, NULL, NULL);

  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);

  /* no project yet: no milestone to offer */
  g_assert_true (procura_record_editor_set_text (editor, "milestone_id", m1));
  g_assert_nonnull (procura_record_editor_get_error (editor, "milestone_id"));

  /* a project by its number; then its milestones */
  g_assert_true (procura_record_editor_set_text (editor, "project_id", procura_record_get_string (p1, "code")));
  g_assert_null (procura_record_editor_get_error (editor, "project_id"));
  g_assert_true (procura_record_editor_set_text (editor, "milestone_id", m1));
  g_assert_null (procura_record_editor_get_error (editor, "milestone_id"));

  /* another project: the milestone of the first one goes */
  g_assert_true (procura_record_editor_set_text (editor, "project_id", procura_record_get_string (p2, "code")));
  text = procura_record_editor_dup_text (editor, "milestone_id");
  g_assert_cmpstr (text, ==, "None");
  g_assert_true (procura_record_editor_set_text (editor, "milestone_id", m2));
  g_assert_null (procura_record_editor_get_error (editor, "milestone_id"));

  procura_record_editor_set_text (editor, "title", "二期款");
  procura_record_editor_set_text (editor, "planned_amount", "20000");
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);

  stored = get_ok (&ef->f, PROCURA_ENTITY_PAYMENT, saved_id);
  g_assert_cmpstr (procura_record_get_string (stored, "project_id"), ==, other);
  g_assert_cmpstr (procura_record_get_string (stored, "milestone_id"), ==, m2);
}

static void
test_close_asks_first (EditorFixture *ef,
                       gconstpointer  data)
{
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  AdwMessageDialog *dialog;
  Counts before = counts (&ef->f);

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  /* unchanged: closes at once */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL));
  iterate ();
  g_assert_null (editor);

  editor = open_editor (ef, PROCURA_ENTITY_ORGANIZATION, NULL, NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  procura_record_editor_set_text (editor, "name", "未保存的机构");

  /* changed: Escape asks first */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel", NULL));
  iterate ();
  g_assert_nonnull (editor);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  dialog = find_dialog_for (GTK_WINDOW (editor));
  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, "discard"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "discard"), ==, ADW_RESPONSE_DESTRUCTIVE);

  /* keep editing: the dialog goes, the form stays */
  wait_for_draw (GTK_WIDGET (dialog));
  g_assert_nonnull (find_button (GTK_WIDGET (dialog), "_Keep Editing"));
  g_signal_emit_by_name (find_button (GTK_WIDGET (dialog), "_Keep Editing"), "clicked");
  iterate ();
  g_assert_nonnull (editor);
  g_assert_null (find_dialog_for (GTK_WINDOW (editor)));

  /* the window's close button asks too; discard closes */
  gtk_window_close (GTK_WINDOW (editor));
  iterate ();
  g_assert_nonnull (editor);
  dialog = find_dialog_for (GTK_WINDOW (editor));
  g_assert_nonnull (dialog);
  wait_for_draw (GTK_WIDGET (dialog));
  g_signal_emit_by_name (find_button (GTK_WIDGET (dialog), "_Discard"), "clicked");
  iterate ();
  g_assert_null (editor);

  assert_counts_delta (before, counts (&ef->f), 0, 0, 0);
}

static void
test_long_text_and_switch (EditorFixture *ef,
                           gconstpointer  data)
{
  static const char * const hidden[] = { "project_id", NULL };
  g_autofree char *project = add_active_project (&ef->f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) defaults = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);
  g_autoptr(ProcuraRecord) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_id = NULL;
  ProcuraRecordEditor *editor;
  const char *message;

  procura_record_set_string (defaults, "project_id", project);
  procura_record_set_string (defaults, "type", "reporting");
  editor = open_editor_hiding (ef, PROCURA_ENTITY_MILESTONE, NULL, defaults, hidden);
  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (editor)), ==, "New Milestone");
  g_assert_true (ADW_IS_ACTION_ROW (find_row (GTK_WIDGET (editor), "Allowed outside the contract period")));

  procura_record_editor_set_text (editor, "title", "年度总结");
  procura_record_editor_set_text (editor, "description", "第一行\n第二行");
  procura_record_editor_set_text (editor, "due_date", "2022-03-31");

  /* after the contract period: the core's rule, on the due date */
  message = procura_record_editor_get_error (editor, "due_date");
  g_assert_nonnull (message);
  g_assert_true (g_str_has_prefix (message, "Due date"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* allowed outside the period: valid */
  g_assert_true (procura_record_editor_set_text (editor, "outside_period_allowed", "是"));
  g_assert_null (procura_record_editor_get_error (editor, "due_date"));
  g_assert_true (procura_record_editor_get_can_save (editor));
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);

  stored = procura_store_get (ef->f.store, PROCURA_ENTITY_MILESTONE, saved_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (stored, "description"), ==, "第一行\n第二行");
  g_assert_true (procura_record_get_bool (stored, "outside_period_allowed"));
  g_assert_cmpstr (procura_record_get_string (stored, "type"), ==, "reporting");
  g_assert_cmpstr (procura_record_get_string (stored, "project_id"), ==, project);
}

static void
test_missing_record (EditorFixture *ef,
                     gconstpointer  data)
{
  ProcuraRecordEditor *editor = open_editor (ef, PROCURA_ENTITY_PROJECT,
                                             "00000000-0000-4000-8000-000000000000", NULL);

  g_assert_nonnull (procura_record_editor_get_message (editor));
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_false (procura_record_editor_set_text (editor, "title", "x"));
  g_assert_false (procura_record_editor_get_can_save (editor));

  /* nothing to lose: closes at once */
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_window_close (GTK_WINDOW (editor));
  iterate ();
  g_assert_null (editor);
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      /* a TAP skip: meson reads exit 77 as an error in TAP tests */
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add (path, EditorFixture, NULL, editor_fixture_setup, func, editor_fixture_teardown)

  ADD ("/record-editor/organization/invalid-uscc", test_organization_invalid_uscc);
  ADD ("/record-editor/organization/duplicate-uscc", test_organization_duplicate_uscc);
  ADD ("/record-editor/organization/formats-first", test_formats_first);
  ADD ("/record-editor/organization/required-hint", test_required_hint);
  ADD ("/record-editor/organization/save-race", test_save_race);
  ADD ("/record-editor/project/value-in-wan", test_project_value_in_wan);
  ADD ("/record-editor/project/agency-search", test_agency_search);
  ADD ("/record-editor/amendment/limit", test_amendment_limit);
  ADD ("/record-editor/payment/references-and-workflow", test_references_and_workflow);
  ADD ("/record-editor/milestone/long-text-and-switch", test_long_text_and_switch);
  ADD ("/record-editor/payment/scoped-references", test_scoped_references);
  ADD ("/record-editor/close/asks-first", test_close_asks_first);
  ADD ("/record-editor/missing-record", test_missing_record);

#undef ADD

  return g_test_run ();
}
