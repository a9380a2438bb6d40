/* test-roles.c — what each account role is offered (product.md §4)
 *
 * Runs under a display (xvfb-run). The application's role is set as a
 * login would set it (procura_application_set_account_role) while the
 * pages are shown; the pages must follow it live. For each role the
 * project page and the organizations page are searched for their real
 * widgets: a button of an action the role may not use must not be
 * visible at all (not merely insensitive), no list row may offer an edit
 * the role may not make, and the actions themselves must be disabled.
 * Then an agency walks its report flow: a draft through the editor, a
 * file attached, submitted; the officer returns it with a comment
 * (written through the store, as a pull would); the agency sees the
 * comment, edits and resubmits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "procura-application.h"
#include "procura-organizations-page.h"
#include "procura-project-page.h"
#include "procura-record-editor.h"
#include "procura-test-utils.h"

#define VALUE G_GINT64_CONSTANT (20000000)
#define TRANCHE G_GINT64_CONSTANT (6000000)

static ProcuraApplication *app;

typedef struct
{
  Fixture             f;
  char               *project;
  char               *agency_id;
  char               *agency_uscc;
  char               *other_org;
  char               *milestone;
  char               *payment;
  char               *report;
  char               *activity;
  char               *period;
  GtkWindow          *window;
  ProcuraProjectPage *page;
} RolesFixture;

static void
spin (void)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
wait_for_draw (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  spin ();
}

static void
roles_setup (RolesFixture  *rf,
             gconstpointer  data)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-roles-XXXXXX");
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(ProcuraRecord) activity = procura_record_new (PROCURA_ENTITY_ACTIVITY, NULL);
  g_autoptr(ProcuraRecord) project = NULL;
  g_autoptr(ProcuraRecord) agency = NULL;

  fixture_open (&rf->f, dir);
  procura_application_set_account_role (app, NULL, NULL);

  rf->project = add_active_project (&rf->f, VALUE);
  rf->milestone = add_milestone (&rf->f, rf->project, "第一季度服务报告", "2021-04-10");
  rf->payment = add_payment (&rf->f, rf->project, rf->milestone, TRANCHE);
  rf->other_org = add_org (&rf->f, "另一家社工机构", "social_work_agency");

  project = get_ok (&rf->f, PROCURA_ENTITY_PROJECT, rf->project);
  rf->agency_id = g_strdup (procura_record_get_string (project, "agency_id"));
  agency = get_ok (&rf->f, PROCURA_ENTITY_ORGANIZATION, rf->agency_id);
  rf->agency_uscc = g_strdup (procura_record_get_string (agency, "uscc"));

  procura_record_set_string (report, "project_id", rf->project);
  procura_record_set_string (report, "milestone_id", rf->milestone);
  procura_record_set_string (report, "title", "第一季度服务报告");
  procura_record_set_string (report, "kind", "physicalProgressReport");
  rf->report = insert_ok (&rf->f, report);

  procura_record_set_string (activity, "project_id", rf->project);
  procura_record_set_string (activity, "title", "端午节社区活动");
  procura_record_set_string (activity, "kind", "event");
  procura_record_set_string (activity, "date", "2021-06-12");
  rf->activity = insert_ok (&rf->f, activity);

  {
    g_autoptr(ProcuraRecord) indicator = procura_record_new (PROCURA_ENTITY_INDICATOR, NULL);
    g_autoptr(ProcuraRecord) period = procura_record_new (PROCURA_ENTITY_INDICATOR_PERIOD, NULL);
    g_autofree char *indicator_id = NULL;

    procura_record_set_string (indicator, "project_id", rf->project);
    procura_record_set_string (indicator, "title", "居民满意度");
    procura_record_set_string (indicator, "result_type", "outcome");
    procura_record_set_string (indicator, "measure", "percentage");
    indicator_id = insert_ok (&rf->f, indicator);

    procura_record_set_string (period, "project_id", rf->project);
    procura_record_set_string (period, "indicator_id", indicator_id);
    procura_record_set_string (period, "period_start", "2021-01-01");
    procura_record_set_string (period, "period_end", "2021-06-30");
    procura_record_set_int (period, "target_value", 9000);
    rf->period = insert_ok (&rf->f, period);
  }

  rf->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (rf->window, 1400, 900);
  rf->page = PROCURA_PROJECT_PAGE (procura_project_page_new (rf->f.store));
  gtk_window_set_child (rf->window, GTK_WIDGET (rf->page));
  procura_project_page_set_project_id (rf->page, rf->project);
  gtk_window_present (rf->window);
  wait_for_draw (GTK_WIDGET (rf->window));
}

static void
close_other_windows (RolesFixture *rf)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (window != rf->window)
        gtk_window_destroy (window);
    }
  spin ();
}

static void
roles_teardown (RolesFixture  *rf,
                gconstpointer  data)
{
  char *dir = g_strdup (rf->f.dir);

  close_other_windows (rf);
  g_object_add_weak_pointer (G_OBJECT (rf->page), (gpointer *) &rf->page);
  gtk_window_destroy (rf->window);
  spin ();
  g_assert_null (rf->page);
  procura_application_set_account_role (app, NULL, NULL);

  fixture_close (&rf->f);
  procura_test_remove_tree (dir);
  g_free (dir);
  g_free (rf->project);
  g_free (rf->agency_id);
  g_free (rf->agency_uscc);
  g_free (rf->other_org);
  g_free (rf->milestone);
  g_free (rf->payment);
  g_free (rf->report);
  g_free (rf->activity);
  g_free (rf->period);
}

/* ---- what a page offers ------------------------------------------------- */

typedef struct
{
  GHashTable *visible_buttons;  /* action name → count, visible buttons */
  GHashTable *hidden_buttons;   /* action name → count, hidden buttons */
  GHashTable *row_actions;      /* action name → count, activatable rows */
} Offered;

static void
offered_clear (Offered *o)
{
  g_clear_pointer (&o->visible_buttons, g_hash_table_unref);
  g_clear_pointer (&o->hidden_buttons, g_hash_table_unref);
  g_clear_pointer (&o->row_actions, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Offered, offered_clear)

static void
count (GHashTable *table,
       const char *name)
{
  g_hash_table_replace (table, g_strdup (name),
                        GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (table, name)) + 1));
}

/* A button counts as visible when it and every ancestor up to the page
 * are (a view stack page not shown now still counts: it is one click
 * away). */
static void
collect (GtkWidget *widget,
         gboolean   parent_visible,
         Offered   *o)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean visible = parent_visible && gtk_widget_get_visible (child);
      const char *action = GTK_IS_ACTIONABLE (child) ? gtk_actionable_get_action_name (GTK_ACTIONABLE (child)) : NULL;

      if (action != NULL && GTK_IS_BUTTON (child))
        count (visible ? o->visible_buttons : o->hidden_buttons, action);
      else if (action != NULL && GTK_IS_LIST_BOX_ROW (child) && visible &&
               gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (child)))
        count (o->row_actions, action);

      collect (child, visible, o);
    }
}

static void
offered_init (Offered   *o,
              GtkWidget *page)
{
  o->visible_buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  o->hidden_buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  o->row_actions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  collect (page, TRUE, o);
}

static gboolean
has (GHashTable *table,
     const char *action)
{
  return g_hash_table_contains (table, action);
}

/* Whether a widget's class action is enabled: a button inside the widget
 * naming it takes its sensitivity from exactly that (GTK 4.8 has no
 * getter for it). */
static gboolean
action_enabled (GtkWidget  *widget,
                const char *prefix,
                const char *name)
{
  g_autofree char *full = g_strdup_printf ("%s.%s", prefix, name);
  g_autoptr(GtkWidget) probe = g_object_ref_sink (gtk_button_new ());
  const GVariantType *param_type = NULL;
  gboolean found = FALSE;
  gboolean enabled;

  for (guint i = 0; !found; i++)
    {
      GType owner;
      const char *action_name;
      const GVariantType *type;
      const char *property;

      if (!gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (widget), i, &owner, &action_name, &type, &property))
        break;
      if (g_str_equal (action_name, full))
        {
          found = TRUE;
          param_type = type;
        }
    }
  g_assert_true (found);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (probe), full);
  if (param_type != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (probe), "s", "x");
  gtk_widget_set_parent (probe, widget);
  spin ();
  enabled = gtk_widget_get_sensitive (probe);
  gtk_widget_unparent (probe);

  return enabled;
}

/* Every action of the page and whether the role may use it. */
static const char * const edit_actions[] = {
  "project.edit", "project.set-status", "amendment.add", "milestone.add", "milestone.edit",
  "report.add", "report.edit", "report.submit", "report.accept", "report.return",
  "attachment.add", "payment.add", "payment.record", "payment.edit", "evaluation.add",
  "indicator.add", "indicator-period.add", "activity.add", "consultation.add", "record.edit",
};
static const char * const read_actions[] = {
  "project.reload", "attachment.open", "attachment.copy-hash", "history.filter-field", "history.filter-actor",
};

static gboolean
agency_may (const char *action)
{
  static const char * const allowed[] = {
    "report.add", "report.edit", "report.submit", "attachment.add", "activity.add", "consultation.add",
    "record.edit", NULL
  };

  return g_strv_contains (allowed, action);
}

static void
set_role (RolesFixture *rf,
          const char   *role)
{
  procura_application_set_account_role (app, role,
                                        g_strcmp0 (role, "agency") == 0 ? rf->agency_uscc : NULL);
  spin ();
}

static void
build_every_section (RolesFixture *rf)
{
  const char *sections[] = { "contract", "milestones", "reports", "payments", "performance",
                             "activities", "consultations", "history", "reports" };

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      procura_project_page_set_section (rf->page, sections[i]);
      spin ();
    }
  wait_for_draw (GTK_WIDGET (rf->window));
}

static void
assert_project_page_for (RolesFixture *rf,
                         const char   *role)
{
  g_auto(Offered) o = { 0 };
  gboolean full = role == NULL || g_strcmp0 (role, "officer") == 0;
  gboolean agency = g_strcmp0 (role, "agency") == 0;

  set_role (rf, role);
  build_every_section (rf);
  offered_init (&o, GTK_WIDGET (rf->page));

  for (guint i = 0; i < G_N_ELEMENTS (edit_actions); i++)
    {
      const char *action = edit_actions[i];
      g_autofree char *prefix = g_strndup (action, strcspn (action, "."));
      gboolean expected = full || (agency && agency_may (action));
      gboolean enabled = action_enabled (GTK_WIDGET (rf->page), prefix, action + strlen (prefix) + 1);

      if (enabled != expected)
        g_error ("role %s: action %s is %s", role ? role : "(local)", action, enabled ? "enabled" : "disabled");
      /* what may not be used is not on screen at all */
      if (!expected && (has (o.visible_buttons, action) || has (o.row_actions, action)))
        g_error ("role %s: %s is offered", role ? role : "(local)", action);
    }
  for (guint i = 0; i < G_N_ELEMENTS (read_actions); i++)
    {
      const char *action = read_actions[i];
      g_autofree char *prefix = g_strndup (action, strcspn (action, "."));

      g_assert_true (action_enabled (GTK_WIDGET (rf->page), prefix, action + strlen (prefix) + 1));
    }

  if (full)
    {
      /* officers see every edit affordance the page has */
      g_assert_true (has (o.visible_buttons, "project.edit"));
      g_assert_true (has (o.visible_buttons, "milestone.add"));
      g_assert_true (has (o.visible_buttons, "milestone.edit"));
      g_assert_true (has (o.visible_buttons, "payment.add"));
      g_assert_true (has (o.visible_buttons, "report.submit"));
      g_assert_true (has (o.visible_buttons, "amendment.add"));
      g_assert_true (has (o.visible_buttons, "activity.add"));
      g_assert_true (has (o.row_actions, "record.edit"));   /* the activity */
      g_assert_true (has (o.row_actions, "payment.edit"));
    }
  else if (agency)
    {
      /* the agency's own work: reports, files, activities */
      g_assert_true (has (o.visible_buttons, "report.add"));
      g_assert_true (has (o.visible_buttons, "report.submit"));
      g_assert_true (has (o.visible_buttons, "report.edit"));
      g_assert_true (has (o.visible_buttons, "activity.add"));
      g_assert_true (has (o.visible_buttons, "consultation.add"));
      g_assert_true (has (o.row_actions, "attachment.add"));
      g_assert_true (has (o.row_actions, "record.edit"));   /* the activity */
      /* and nothing of the contract, the plan or the money */
      g_assert_false (has (o.visible_buttons, "project.edit"));
      g_assert_false (has (o.visible_buttons, "payment.edit"));
      g_assert_false (has (o.row_actions, "payment.edit"));
      g_assert_false (has (o.row_actions, "milestone.edit"));
      g_assert_true (has (o.hidden_buttons, "project.edit"));
    }
  else
    {
      /* read-only: not one edit affordance anywhere, and the header's
       * edit button is there but hidden */
      GHashTableIter iter;
      const char *action;

      g_hash_table_iter_init (&iter, o.visible_buttons);
      while (g_hash_table_iter_next (&iter, (gpointer *) &action, NULL))
        if (!g_strv_contains ((const char * const *) read_actions, action))
          g_error ("role %s: a visible button offers %s", role, action);
      g_hash_table_iter_init (&iter, o.row_actions);
      while (g_hash_table_iter_next (&iter, (gpointer *) &action, NULL))
        if (!g_strv_contains ((const char * const *) read_actions, action))
          g_error ("role %s: a row offers %s", role, action);
      g_assert_true (has (o.hidden_buttons, "project.edit"));
    }

  /* the project's state menu is an edit too */
  {
    GtkWidget *status_button = NULL;

    for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (rf->page)); w != NULL;)
      {
        if (GTK_IS_MENU_BUTTON (w))
          {
            status_button = w;
            break;
          }
        /* depth first */
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != NULL && gtk_widget_get_next_sibling (w) == NULL && w != GTK_WIDGET (rf->page))
              w = gtk_widget_get_parent (w);
            if (w == NULL || w == GTK_WIDGET (rf->page))
              break;
            w = gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (status_button);
    g_assert_cmpint (gtk_widget_get_visible (status_button), ==, full);
  }
}

static void
test_project_page_by_role (RolesFixture  *rf,
                           gconstpointer  data)
{
  /* one page, the role changing under it as logins would */
  const char *roles[] = { NULL, "auditor", "officer", "admin", "agency", NULL, "auditor" };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    assert_project_page_for (rf, roles[i]);
}

/* The auditor cannot write by any door: activating the actions does
 * nothing. */
static void
test_auditor_writes_nothing (RolesFixture  *rf,
                             gconstpointer  data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint n_windows;

  set_role (rf, "auditor");
  build_every_section (rf);
  before = get_text (&rf->f, PROCURA_ENTITY_REPORT, rf->report, "state");
  n_windows = g_list_model_get_n_items (gtk_window_get_toplevels ());

  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.submit", "s", rf->report);
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "project.edit", NULL);
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "record.edit", "s", rf->activity);
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "activity.add", NULL);
  spin ();

  after = get_text (&rf->f, PROCURA_ENTITY_REPORT, rf->report, "state");
  g_assert_cmpstr (after, ==, before);
  /* no editor opened */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_window_get_toplevels ()), ==, n_windows);
}

/* ---- the agency's report flow ------------------------------------------- */

static ProcuraRecordEditor *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PROCURA_IS_RECORD_EDITOR (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return PROCURA_RECORD_EDITOR (window);
    }

  return NULL;
}

static char *
state_of (RolesFixture *rf,
          const char   *id)
{
  return get_text (&rf->f, PROCURA_ENTITY_REPORT, id, "state");
}

static void
test_agency_report_flow (RolesFixture  *rf,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *file = g_build_filename (rf->f.dir, "签到表.txt", NULL);
  g_autofree char *state = NULL;
  g_autoptr(ProcuraRecord) returned = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_auto(Offered) o = { 0 };
  ProcuraRecordEditor *editor;

  set_role (rf, "agency");
  procura_project_page_set_section (rf->page, "reports");
  wait_for_draw (GTK_WIDGET (rf->window));

  /* a draft, through the report editor as the agency fills it in */
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.add", "s", rf->milestone);
  spin ();
  editor = find_editor ();
  g_assert_nonnull (editor);
  /* the review is the officer's */
  g_assert_false (procura_record_editor_get_field_editable (editor, "review_comment"));
  g_assert_true (procura_record_editor_get_field_editable (editor, "narrative"));
  /* it reports in its own name only (the server refuses another) */
  g_assert_false (procura_record_editor_get_field_editable (editor, "submitter_org_id"));
  g_assert_true (procura_record_editor_set_text (editor, "title", "第二季度服务报告"));
  g_assert_true (procura_record_editor_set_text (editor, "narrative", "开展活动8场，服务居民210人次。"));
  g_object_ref (editor);
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  report = g_strdup (procura_record_editor_get_saved_id (editor));
  g_object_unref (editor);
  spin ();
  g_assert_nonnull (report);
  state = state_of (rf, report);
  g_assert_cmpstr (state, ==, "draft");
  g_clear_pointer (&state, g_free);

  /* a file attached to it (what attachment.add does with a chosen file) */
  g_assert_true (g_file_set_contents (file, "2021-06-12 签到：张三、李四", -1, NULL));
  attachment = procura_project_page_add_attachment (rf->page, report, file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (attachment);
  g_assert_nonnull (procura_project_page_get_attachment_hash_text (rf->page, attachment));

  /* submitted */
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.submit", "s", report);
  state = state_of (rf, report);
  g_assert_cmpstr (state, ==, "submitted");
  g_clear_pointer (&state, g_free);

  /* the agency cannot accept its own report: no such button, and the
   * action does nothing */
  offered_init (&o, GTK_WIDGET (rf->page));
  g_assert_false (has (o.visible_buttons, "report.accept"));
  g_assert_false (has (o.visible_buttons, "report.return"));
  offered_clear (&o);
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.accept", "s", report);
  state = state_of (rf, report);
  g_assert_cmpstr (state, ==, "submitted");
  g_clear_pointer (&state, g_free);
  g_assert_null (procura_project_page_get_review_comment_text (rf->page, report));

  /* the officer returns it with a comment (as a pull writes it) */
  procura_record_set_id (returned, report);
  procura_record_set_string (returned, "state", "returned");
  procura_record_set_string (returned, "review_comment", "请补充活动照片和签到表原件。");
  update_ok (&rf->f, returned);
  procura_project_page_reload (rf->page);
  wait_for_draw (GTK_WIDGET (rf->window));

  /* the agency sees the comment, above the report, with Resubmit */
  g_assert_cmpstr (procura_project_page_get_review_comment_text (rf->page, report), ==,
                   "请补充活动照片和签到表原件。");
  offered_init (&o, GTK_WIDGET (rf->page));
  /* Resubmit on the comment, Submit on the other report (a draft) */
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (o.visible_buttons, "report.submit")), ==, 2);
  g_assert_true (has (o.visible_buttons, "report.edit"));
  offered_clear (&o);

  /* edits it … */
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.edit", "s", report);
  spin ();
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_false (procura_record_editor_get_field_editable (editor, "review_comment"));
  /* the state moves by Resubmit, not in the form (which would offer
   * "accepted" too) */
  g_assert_false (procura_record_editor_get_field_editable (editor, "state"));
  g_assert_true (procura_record_editor_set_text (editor, "narrative", "开展活动8场，服务居民210人次；已补充照片。"));
  g_object_ref (editor);
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  g_object_unref (editor);
  spin ();

  /* … and resubmits */
  gtk_widget_activate_action (GTK_WIDGET (rf->page), "report.submit", "s", report);
  state = state_of (rf, report);
  g_assert_cmpstr (state, ==, "submitted");
  g_clear_pointer (&state, g_free);
  g_assert_null (procura_project_page_get_review_comment_text (rf->page, report));

  /* once accepted, the agency can no longer change it */
  set_state (&rf->f, PROCURA_ENTITY_REPORT, report, "accepted");
  procura_project_page_reload (rf->page);
  wait_for_draw (GTK_WIDGET (rf->window));
  offered_init (&o, GTK_WIDGET (rf->page));
  {
    /* the only report.edit left is the first report's, still a draft */
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (o.visible_buttons, "report.edit")), ==, 1);
  }
}

/* An agency records the actual values of indicator periods, nothing else
 * of them; it adds no periods. */
static void
test_agency_indicator_actuals (RolesFixture  *rf,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(Offered) o = { 0 };
  ProcuraRecordEditor *editor;

  set_role (rf, "agency");
  build_every_section (rf);
  procura_project_page_set_section (rf->page, "performance");
  wait_for_draw (GTK_WIDGET (rf->window));

  offered_init (&o, GTK_WIDGET (rf->page));
  g_assert_false (has (o.row_actions, "indicator-period.add"));
  g_assert_false (has (o.visible_buttons, "indicator.add"));

  gtk_widget_activate_action (GTK_WIDGET (rf->page), "record.edit", "s", rf->period);
  spin ();
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_true (procura_record_editor_get_field_editable (editor, "actual_value"));
  g_assert_true (procura_record_editor_get_field_editable (editor, "comment"));
  g_assert_false (procura_record_editor_get_field_editable (editor, "target_value"));
  g_assert_false (procura_record_editor_get_field_editable (editor, "period_start"));
  g_assert_true (procura_record_editor_set_text (editor, "actual_value", "92.5"));
  g_object_ref (editor);
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  g_object_unref (editor);
  spin ();
  {
    g_autoptr(ProcuraRecord) period = get_ok (&rf->f, PROCURA_ENTITY_INDICATOR_PERIOD, rf->period);

    /* hundredths */
    g_assert_cmpint (procura_record_get_int (period, "actual_value", 0), ==, 9250);
    g_assert_cmpint (procura_record_get_int (period, "target_value", 0), ==, 9000);
  }

  /* the officer adds periods */
  set_role (rf, "officer");
  build_every_section (rf);
  offered_clear (&o);
  offered_init (&o, GTK_WIDGET (rf->page));
  g_assert_true (has (o.row_actions, "indicator-period.add"));
}

/* ---- the organizations page -------------------------------------------- */

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if ((found = find_button (child, action)) != NULL)
        return found;
    }

  return NULL;
}

static guint
count_visible_buttons (GtkWidget  *widget,
                       const char *action)
{
  g_auto(Offered) o = { 0 };

  offered_init (&o, widget);
  return GPOINTER_TO_UINT (g_hash_table_lookup (o.visible_buttons, action));
}

static void
test_organizations_by_role (RolesFixture  *rf,
                            gconstpointer  data)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  ProcuraOrganizationsPage *page = PROCURA_ORGANIZATIONS_PAGE (procura_organizations_page_new (rf->f.store));
  const char *roles[] = { NULL, "officer", "admin", "auditor", "agency" };

  gtk_window_set_default_size (window, 1200, 800);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  wait_for_draw (GTK_WIDGET (window));

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      const char *role = roles[i];
      gboolean full = role == NULL || g_strcmp0 (role, "officer") == 0;
      gboolean agency = g_strcmp0 (role, "agency") == 0;
      GtkWidget *edit;

      set_role (rf, role);

      /* registering organizations: officers only */
      g_assert_cmpint (action_enabled (GTK_WIDGET (page), "organizations", "add"), ==, full);
      if (!full)
        g_assert_cmpuint (count_visible_buttons (GTK_WIDGET (page), "organizations.add"), ==, 0);
      else
        g_assert_cmpuint (count_visible_buttons (GTK_WIDGET (page), "organizations.add"), >, 0);

      /* its own organization: officers and the agency itself */
      g_assert_true (procura_organizations_page_select (page, rf->agency_id));
      spin ();
      edit = find_button (GTK_WIDGET (page), "organizations.edit");
      g_assert_nonnull (edit);
      g_assert_cmpint (gtk_widget_get_visible (edit), ==, full || agency);
      g_assert_cmpint (action_enabled (GTK_WIDGET (page), "organizations", "edit"), ==, full || agency);

      /* another organization: officers only */
      g_assert_true (procura_organizations_page_select (page, rf->other_org));
      spin ();
      g_assert_cmpint (gtk_widget_get_visible (edit), ==, full);
      g_assert_cmpint (action_enabled (GTK_WIDGET (page), "organizations", "edit"), ==, full);

      if (agency)
        {
          ProcuraRecordEditor *editor;

          /* even by hand, another organization's editor does not open */
          gtk_widget_activate_action (GTK_WIDGET (page), "organizations.edit", "s", rf->other_org);
          spin ();
          g_assert_null (find_editor ());

          /* its own: only the contact details may change */
          g_assert_true (procura_organizations_page_select (page, rf->agency_id));
          spin ();
          gtk_widget_activate_action (GTK_WIDGET (page), "organizations.edit", "s", rf->agency_id);
          spin ();
          editor = find_editor ();
          g_assert_nonnull (editor);
          g_assert_false (procura_record_editor_get_field_editable (editor, "name"));
          g_assert_false (procura_record_editor_get_field_editable (editor, "uscc"));
          g_assert_true (procura_record_editor_get_field_editable (editor, "address"));
          g_assert_true (procura_record_editor_get_field_editable (editor, "contact_phone"));
          gtk_window_destroy (GTK_WINDOW (editor));
          spin ();
        }
    }

  gtk_window_destroy (window);
  spin ();
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* the application whose role the pages follow; not run, only there */
  app = procura_application_new ();
  g_assert_true (g_application_get_default () == G_APPLICATION (app));

  g_test_add ("/roles/project-page", RolesFixture, NULL,
              roles_setup, test_project_page_by_role, roles_teardown);
  g_test_add ("/roles/auditor-writes-nothing", RolesFixture, NULL,
              roles_setup, test_auditor_writes_nothing, roles_teardown);
  g_test_add ("/roles/agency-report-flow", RolesFixture, NULL,
              roles_setup, test_agency_report_flow, roles_teardown);
  g_test_add ("/roles/agency-indicator-actuals", RolesFixture, NULL,
              roles_setup, test_agency_indicator_actuals, roles_teardown);
  g_test_add ("/roles/organizations-page", RolesFixture, NULL,
              roles_setup, test_organizations_by_role, roles_teardown);

  status = g_test_run ();
  g_clear_object (&app);

  return status;
}
