/* test-project-page.c — the project page, driven through its actions
 *
 * Runs under a display (xvfb-run in build-aux/test.sh). Builds a project
 * with a milestone, a tranche and a report through the store, shows it in
 * ProcuraProjectPage and walks the report through its review the way an
 * officer does: submit, return with a comment, resubmit, accept. Checks
 * what the store then holds (the milestone met, the tranche payable), what
 * the page shows (states, history newest first, figures after a payment,
 * the SHA-256 of an attached file) and that a refused write is said, not
 * swallowed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "procura-blobs.h"
#include "procura-demo.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-paths.h"
#include "procura-project-page.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-timeline.h"

#define VALUE G_GINT64_CONSTANT (20000000)   /* ¥200,000.00 */
#define TRANCHE G_GINT64_CONSTANT (6000000)  /* ¥60,000.00 */

typedef struct
{
  Fixture    f;
  char      *project;
  char      *milestone;
  char      *payment;
  char      *report;
  GtkWindow *window;
  ProcuraProjectPage *page;
  guint      n_changed;
  guint      n_toasts;
} PageFixture;

static void
wait_for_draw (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
changed_cb (ProcuraProjectPage *page,
            PageFixture        *pf)
{
  pf->n_changed++;
}

static void
toast_cb (ProcuraProjectPage *page,
          const char         *message,
          PageFixture        *pf)
{
  g_assert_nonnull (message);
  g_assert_cmpstr (message, !=, "");
  pf->n_toasts++;
}

static void
page_setup (PageFixture   *pf,
            gconstpointer  data)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-page-XXXXXX");
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);

  fixture_open (&pf->f, dir);

  pf->project = add_active_project (&pf->f, VALUE);
  pf->milestone = add_milestone (&pf->f, pf->project, "第一季度服务报告", "2021-04-10");
  pf->payment = add_payment (&pf->f, pf->project, pf->milestone, TRANCHE);

  procura_record_set_string (report, "project_id", pf->project);
  procura_record_set_string (report, "milestone_id", pf->milestone);
  procura_record_set_string (report, "title", "第一季度服务报告");
  procura_record_set_string (report, "kind", "physicalProgressReport");
  procura_record_set_string (report, "narrative", "开展活动12场，服务居民356人次。");
  pf->report = insert_ok (&pf->f, report);

  pf->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (pf->window, 1400, 900);
  pf->page = PROCURA_PROJECT_PAGE (procura_project_page_new (pf->f.store));
  g_signal_connect (pf->page, "changed", G_CALLBACK (changed_cb), pf);
  g_signal_connect (pf->page, "toast", G_CALLBACK (toast_cb), pf);
  gtk_window_set_child (pf->window, GTK_WIDGET (pf->page));
  procura_project_page_set_project_id (pf->page, pf->project);
  gtk_window_present (pf->window);
  wait_for_draw (GTK_WIDGET (pf->window));
}

static void
page_teardown (PageFixture   *pf,
               gconstpointer  data)
{
  char *dir = g_strdup (pf->f.dir);

  g_object_add_weak_pointer (G_OBJECT (pf->page), (gpointer *) &pf->page);
  gtk_window_destroy (pf->window);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_null (pf->page);

  fixture_close (&pf->f);
  procura_test_remove_tree (dir);
  g_free (dir);
  g_free (pf->project);
  g_free (pf->milestone);
  g_free (pf->payment);
  g_free (pf->report);
}

static char *
state_in_store (PageFixture             *pf,
                const ProcuraEntityInfo *entity,
                const char              *id)
{
  return get_text (&pf->f, entity, id, entity->status_field);
}

static const char *
label_of_state (const ProcuraEntityInfo *entity,
                const char              *code)
{
  return procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), code);
}

static void
assert_states (PageFixture *pf,
               const char  *report,
               const char  *milestone,
               const char  *payment)
{
  g_autofree char *r = state_in_store (pf, PROCURA_ENTITY_REPORT, pf->report);
  g_autofree char *m = state_in_store (pf, PROCURA_ENTITY_MILESTONE, pf->milestone);
  g_autofree char *p = state_in_store (pf, PROCURA_ENTITY_PAYMENT, pf->payment);

  g_assert_cmpstr (r, ==, report);
  g_assert_cmpstr (m, ==, milestone);
  g_assert_cmpstr (p, ==, payment);

  /* and the page shows the same */
  g_assert_cmpstr (procura_project_page_get_state_text (pf->page, pf->report), ==,
                   label_of_state (PROCURA_ENTITY_REPORT, report));
  g_assert_cmpstr (procura_project_page_get_state_text (pf->page, pf->milestone), ==,
                   label_of_state (PROCURA_ENTITY_MILESTONE, milestone));
  g_assert_cmpstr (procura_project_page_get_state_text (pf->page, pf->payment), ==,
                   label_of_state (PROCURA_ENTITY_PAYMENT, payment));
}

static void
test_shows_the_project (PageFixture   *pf,
                        gconstpointer  data)
{
  g_autofree char *value = procura_money_format (VALUE);
  g_autofree char *zero = procura_money_format (0);

  g_assert_null (procura_project_page_get_error_message (pf->page));
  g_assert_cmpstr (procura_project_page_get_project_id (pf->page), ==, pf->project);
  g_assert_nonnull (procura_project_page_get_title (pf->page));
  g_assert_cmpstr (procura_project_page_get_status_text (pf->page), ==,
                   label_of_state (PROCURA_ENTITY_PROJECT, "active"));
  g_assert_cmpstr (procura_project_page_get_value_text (pf->page), ==, value);
  g_assert_cmpstr (procura_project_page_get_paid_text (pf->page), ==, zero);
  g_assert_cmpstr (procura_project_page_get_balance_text (pf->page), ==, value);
  g_assert_cmpstr (procura_project_page_get_progress_text (pf->page), ==, "0%");
  /* due 2021-04-10, today 2021-09-15, not accepted */
  g_assert_cmpstr (procura_project_page_get_overdue_text (pf->page), ==, "1");

  assert_states (pf, "draft", "planned", "planned");

  /* every section can be shown */
  {
    const char *sections[] = { "contract", "milestones", "reports", "payments", "performance",
                               "activities", "consultations", "history" };

    for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
      {
        procura_project_page_set_section (pf->page, sections[i]);
        g_assert_cmpstr (procura_project_page_get_section (pf->page), ==, sections[i]);
        wait_for_draw (GTK_WIDGET (pf->window));
      }
  }
}

static void
test_review_cycle (PageFixture   *pf,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) report = NULL;
  g_autoptr(ProcuraRecord) milestone = NULL;
  GListModel *history;
  const char *expected[] = { "accepted", "submitted", "returned", "submitted", "draft" };
  guint n_state = 0;
  gint64 last_change = G_MAXINT64;

  procura_project_page_set_section (pf->page, "reports");

  /* submit */
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "report.submit", "s", pf->report);
  assert_states (pf, "submitted", "submitted", "planned");
  g_assert_cmpuint (pf->n_changed, ==, 1);
  g_assert_cmpuint (pf->n_toasts, ==, 1);

  /* returning needs a comment */
  g_assert_false (procura_project_page_return_report (pf->page, pf->report, "  ", &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED);
  g_clear_error (&error);
  assert_states (pf, "submitted", "submitted", "planned");
  g_assert_cmpuint (pf->n_changed, ==, 1);

  /* return with a comment */
  g_assert_true (procura_project_page_return_report (pf->page, pf->report, "请补充活动签到表", &error));
  g_assert_no_error (error);
  assert_states (pf, "returned", "returned", "planned");
  report = get_ok (&pf->f, PROCURA_ENTITY_REPORT, pf->report);
  g_assert_cmpstr (procura_record_get_string (report, "review_comment"), ==, "请补充活动签到表");
  g_assert_nonnull (procura_record_get_string (report, "reviewed_at"));
  g_assert_cmpuint (pf->n_changed, ==, 2);

  /* resubmit, then accept */
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "report.submit", "s", pf->report);
  assert_states (pf, "submitted", "submitted", "planned");

  /* the same comment again is not a new one */
  g_assert_false (procura_project_page_return_report (pf->page, pf->report, "请补充活动签到表", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  assert_states (pf, "submitted", "submitted", "planned");

  gtk_widget_activate_action (GTK_WIDGET (pf->page), "report.accept", "s", pf->report);
  assert_states (pf, "accepted", "accepted", "payable");
  milestone = get_ok (&pf->f, PROCURA_ENTITY_MILESTONE, pf->milestone);
  g_assert_cmpstr (procura_record_get_string (milestone, "date_met"), ==, FIXTURE_TODAY);
  g_assert_cmpuint (pf->n_changed, ==, 4);
  g_assert_cmpstr (procura_project_page_get_progress_text (pf->page), ==, "100%");
  g_assert_cmpstr (procura_project_page_get_overdue_text (pf->page), ==, "0");

  /* an accepted report can no longer be submitted: said in a toast */
  {
    guint n_toasts = pf->n_toasts;

    gtk_widget_activate_action (GTK_WIDGET (pf->page), "report.submit", "s", pf->report);
    g_assert_cmpuint (pf->n_toasts, ==, n_toasts + 1);
    g_assert_nonnull (procura_project_page_get_last_message (pf->page));
    assert_states (pf, "accepted", "accepted", "payable");
    g_assert_cmpuint (pf->n_changed, ==, 4);
  }

  /* history: newest first, the report's states in reverse order */
  history = procura_project_page_get_history_model (pf->page);
  g_assert_cmpuint (g_list_model_get_n_items (history), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (history); i++)
    {
      g_autoptr(ProcuraHistoryItem) item = g_list_model_get_item (history, i);

      g_assert_cmpint (procura_history_item_get_change_id (item), <=, last_change);
      last_change = procura_history_item_get_change_id (item);
      g_assert_nonnull (procura_history_item_get_time_text (item));
      g_assert_cmpstr (procura_history_item_get_actor (item), ==, "tester");

      if (g_strcmp0 (procura_history_item_get_field_key (item), "report.state") != 0)
        continue;

      g_assert_cmpuint (n_state, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr (procura_history_item_get_record_id (item), ==, pf->report);
      g_assert_cmpstr (procura_history_item_get_new_value (item), ==, expected[n_state]);
      g_assert_cmpstr (procura_history_item_get_new_text (item), ==,
                       label_of_state (PROCURA_ENTITY_REPORT, expected[n_state]));
      g_assert_cmpstr (procura_history_item_get_field_label (item), ==,
                       procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_REPORT, "state")));
      n_state++;
    }
  g_assert_cmpuint (n_state, ==, G_N_ELEMENTS (expected));

  /* the newest change is the acceptance's last consequence: the tranche
   * became payable */
  {
    g_autoptr(ProcuraHistoryItem) first = g_list_model_get_item (history, 0);

    g_assert_cmpstr (procura_history_item_get_field_key (first), ==, "payment.status");
    g_assert_cmpstr (procura_history_item_get_old_value (first), ==, "planned");
    g_assert_cmpstr (procura_history_item_get_new_value (first), ==, "payable");
  }

  /* the filters */
  procura_project_page_set_section (pf->page, "history");
  wait_for_draw (GTK_WIDGET (pf->window));
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "history.filter-field", "s", "report.state");
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, G_N_ELEMENTS (expected));
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "history.filter-actor", "s", "somebody else");
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "history.filter-actor", "s", "tester");
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, G_N_ELEMENTS (expected));
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "history.filter-field", "s", "");
  g_assert_cmpuint (g_list_model_get_n_items (history), >, G_N_ELEMENTS (expected));
  wait_for_draw (GTK_WIDGET (pf->window));
}

static void
test_payment_and_reload (PageFixture   *pf,
                         gconstpointer  data)
{
  g_autofree char *paid = procura_money_format (TRANCHE);
  g_autofree char *balance = procura_money_format (VALUE - TRANCHE);
  guint n_changed = pf->n_changed;

  set_state (&pf->f, PROCURA_ENTITY_REPORT, pf->report, "submitted");
  set_state (&pf->f, PROCURA_ENTITY_REPORT, pf->report, "accepted");
  pay (&pf->f, pf->payment, TRANCHE, "2021-09-01");

  /* written behind the page's back: shown after a reload */
  procura_project_page_reload (pf->page);
  g_assert_cmpstr (procura_project_page_get_paid_text (pf->page), ==, paid);
  g_assert_cmpstr (procura_project_page_get_balance_text (pf->page), ==, balance);
  g_assert_cmpstr (procura_project_page_get_state_text (pf->page, pf->payment), ==,
                   label_of_state (PROCURA_ENTITY_PAYMENT, "paid"));
  /* a reload is not an edit of the page */
  g_assert_cmpuint (pf->n_changed, ==, n_changed);

  procura_project_page_set_section (pf->page, "payments");
  wait_for_draw (GTK_WIDGET (pf->window));
}

static void
test_refused_status (PageFixture   *pf,
                     gconstpointer  data)
{
  g_autofree char *status = NULL;

  /* completing needs the final milestone accepted and a final evaluation:
   * the core refuses, the page says why */
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "project.set-status", "s", "completed");
  g_assert_cmpuint (pf->n_toasts, ==, 1);
  g_assert_cmpuint (pf->n_changed, ==, 0);
  g_assert_nonnull (strstr (procura_project_page_get_last_message (pf->page),
                            procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status"))));
  status = state_in_store (pf, PROCURA_ENTITY_PROJECT, pf->project);
  g_assert_cmpstr (status, ==, "active");
  g_assert_cmpstr (procura_project_page_get_status_text (pf->page), ==,
                   label_of_state (PROCURA_ENTITY_PROJECT, "active"));

  /* terminating is an edge of the graph */
  gtk_widget_activate_action (GTK_WIDGET (pf->page), "project.set-status", "s", "terminated");
  g_clear_pointer (&status, g_free);
  status = state_in_store (pf, PROCURA_ENTITY_PROJECT, pf->project);
  g_assert_cmpstr (status, ==, "terminated");
  g_assert_cmpuint (pf->n_changed, ==, 1);
  g_assert_cmpstr (procura_project_page_get_status_text (pf->page), ==,
                   label_of_state (PROCURA_ENTITY_PROJECT, "terminated"));
  /* a closed project has nothing overdue */
  g_assert_cmpstr (procura_project_page_get_overdue_text (pf->page), ==, "0");
}

static void
test_attachment (PageFixture   *pf,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) attachment = NULL;
  g_autofree char *dir = g_build_filename (pf->f.dir, "upload", NULL);
  g_autofree char *path = g_build_filename (dir, "签到表.txt", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  const char *content = "2021-03-15 社区议事会签到：张三、李四、王五\n";

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, content, -1, &error));
  g_assert_no_error (error);
  expected = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);

  procura_project_page_set_section (pf->page, "reports");
  id = procura_project_page_add_attachment (pf->page, pf->report, path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_assert_cmpuint (pf->n_changed, ==, 1);

  /* shown with its hash, kept with its name, type and size */
  g_assert_cmpstr (procura_project_page_get_attachment_hash_text (pf->page, id), ==, expected);
  attachment = get_ok (&pf->f, PROCURA_ENTITY_ATTACHMENT, id);
  g_assert_cmpstr (procura_record_get_string (attachment, "name"), ==, "签到表.txt");
  g_assert_cmpstr (procura_record_get_string (attachment, "mime_type"), ==, "text/plain");
  g_assert_cmpint (procura_record_get_int (attachment, "size", -1), ==, (gint64) strlen (content));
  g_assert_cmpstr (procura_record_get_string (attachment, "sha256"), ==, expected);
  g_assert_cmpstr (procura_record_get_string (attachment, "report_id"), ==, pf->report);
  {
    g_autofree char *blobs = g_build_filename (pf->f.dir, "blobs", NULL);
    g_autoptr(GBytes) bytes = procura_blobs_read (blobs, expected, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), content, strlen (content));
  }
  wait_for_draw (GTK_WIDGET (pf->window));

  /* an accepted report's files no longer change */
  set_state (&pf->f, PROCURA_ENTITY_REPORT, pf->report, "submitted");
  set_state (&pf->f, PROCURA_ENTITY_REPORT, pf->report, "accepted");
  procura_project_page_reload (pf->page);
  again = procura_project_page_add_attachment (pf->page, pf->report, path, &error);
  g_assert_null (again);
  g_assert_nonnull (error);
  g_assert_cmpstr (procura_project_page_get_attachment_hash_text (pf->page, id), ==, expected);
}


/* attachment.open copies the file, hash-checked and under its own name, into
 * the cache's folder of opened copies (main() points XDG_CACHE_HOME at a
 * temporary folder), then hands it to the default application. Binary
 * content with an unknown extension: no application on a test machine
 * claims it, so nothing is really launched. */
static void
test_open_attachment (PageFixture   *pf,
                      gconstpointer  data)
{
  static const char content[] = { 'P', 'R', 0, 1, 2, 3, (char) 0xff, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *upload = g_build_filename (pf->f.dir, "upload", NULL);
  g_autofree char *path = g_build_filename (upload, "测量数据.procura-test", NULL);
  g_autofree char *copies = procura_paths_opened_copies_dir ();
  g_autofree char *id = NULL;
  guint before;

  g_assert_true (g_str_has_prefix (copies, g_get_user_cache_dir ()));
  g_assert_true (g_str_has_prefix (g_get_user_cache_dir (), g_get_tmp_dir ()));
  g_assert_cmpint (g_mkdir_with_parents (upload, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, content, sizeof content, &error));
  g_assert_no_error (error);

  procura_project_page_set_section (pf->page, "reports");
  id = procura_project_page_add_attachment (pf->page, pf->report, path, &error);
  g_assert_no_error (error);
  before = procura_test_count_entries (copies);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pf->page), "attachment.open", "s", id));
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_assert_cmpuint (procura_test_count_entries (copies), ==, before + 1);
  {
    g_autoptr(GDir) d = g_dir_open (copies, 0, NULL);
    const char *name;
    gboolean found = FALSE;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *copy = g_build_filename (copies, name, "测量数据.procura-test", NULL);
        g_autofree char *got = NULL;
        gsize len;

        if (g_file_get_contents (copy, &got, &len, NULL))
          {
            g_assert_cmpmem (got, len, content, sizeof content);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  /* a damaged blob is refused with a message, and nothing is copied */
  {
    g_autofree char *blobs = g_build_filename (pf->f.dir, "blobs", NULL);
    g_autoptr(ProcuraRecord) attachment = get_ok (&pf->f, PROCURA_ENTITY_ATTACHMENT, id);
    g_autofree char *blob = procura_blobs_path (blobs, procura_record_get_string (attachment, "sha256"));
    guint toasts = pf->n_toasts;

    g_assert_cmpint (g_chmod (blob, 0600), ==, 0);
    g_assert_true (g_file_set_contents (blob, "damaged", -1, NULL));
    before = procura_test_count_entries (copies);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pf->page), "attachment.open", "s", id));
    g_assert_cmpuint (pf->n_toasts, ==, toasts + 1);
    g_assert_cmpuint (procura_test_count_entries (copies), ==, before);
  }
}

static void
test_no_project (void)
{
  ProcuraProjectPage *page = g_object_ref_sink (PROCURA_PROJECT_PAGE (procura_project_page_new (NULL)));

  g_assert_null (procura_project_page_get_title (page));
  g_assert_null (procura_project_page_get_paid_text (page));
  g_assert_cmpuint (g_list_model_get_n_items (procura_project_page_get_history_model (page)), ==, 0);
  /* nothing to act on: the actions are disabled */
  gtk_widget_activate_action (GTK_WIDGET (page), "report.submit", "s", "nothing");
  g_assert_null (procura_project_page_get_last_message (page));

  g_assert_finalize_object (page);
}

static void
test_unknown_project (PageFixture   *pf,
                      gconstpointer  data)
{
  procura_project_page_set_project_id (pf->page, "no-such-project");
  g_assert_nonnull (procura_project_page_get_error_message (pf->page));
  g_assert_null (procura_project_page_get_title (pf->page));
  wait_for_draw (GTK_WIDGET (pf->window));
}

static void
test_timeline (void)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  ProcuraTimeline *timeline = PROCURA_TIMELINE (procura_timeline_new ());
  int width;

  procura_timeline_set_start_date (timeline, "2021-01-01");
  procura_timeline_set_end_date (timeline, "2021-12-31");
  procura_timeline_set_today (timeline, "2021-09-15");
  procura_timeline_add_milestone (timeline, "b", "中期评估", "2021-07-01", NULL, "planned", TRUE);
  procura_timeline_add_milestone (timeline, "a", "需求调研", "2021-02-01", "2021-02-03", "accepted", FALSE);
  procura_timeline_add_milestone (timeline, "c", "结项", "2021-12-20", NULL, "planned", FALSE);
  g_assert_cmpuint (procura_timeline_get_n_milestones (timeline), ==, 3);

  gtk_window_set_child (window, GTK_WIDGET (timeline));
  gtk_window_set_default_size (window, 900, 200);
  gtk_window_present (window);
  wait_for_draw (GTK_WIDGET (window));

  /* a marker sits at its due date along the period */
  width = gtk_widget_get_width (GTK_WIDGET (timeline));
  g_assert_cmpint (width, >, 300);
  g_assert_null (procura_timeline_get_milestone_at (timeline, width / 2.0, 2));

  for (double x = 0; x < width; x += 1)
    {
      const char *id = procura_timeline_get_milestone_at (timeline, x, 34);

      if (id != NULL)
        {
          /* the first marker found from the left is the earliest */
          g_assert_cmpstr (id, ==, "a");
          g_assert_cmpfloat (x, <, width * 0.2);
          break;
        }
    }

  procura_timeline_remove_all (timeline);
  g_assert_cmpuint (procura_timeline_get_n_milestones (timeline), ==, 0);
  gtk_window_destroy (window);
}

/* Opening a demo project stays quick (the brief: ≤ 80 ms for a typical
 * project; asserted with room to spare for slow CI machines). */
static void
test_opens_quickly (void)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-page-demo-XXXXXX");
  ProcuraStore *store = procura_test_open_store (dir, "2026-11-27", "tester");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  ProcuraProjectPage *page = PROCURA_PROJECT_PAGE (procura_project_page_new (store));
  gint64 worst = 0;

  g_assert_true (procura_demo_generate (store, 12, 3, NULL, NULL, &error));
  g_assert_no_error (error);
  rows = procura_store_query_ledger (store, NULL, NULL, &error);
  g_assert_no_error (error);

  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_set_default_size (window, 1400, 900);
  gtk_window_present (window);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      gint64 start = g_get_monotonic_time ();

      procura_project_page_set_project_id (page, row->id);
      if (i > 0)
        worst = MAX (worst, g_get_monotonic_time () - start);
      g_assert_null (procura_project_page_get_error_message (page));
      g_assert_cmpstr (procura_project_page_get_code (page), ==, row->code);
      wait_for_draw (GTK_WIDGET (window));
    }

  g_test_message ("slowest load of a demo project: %.1f ms", worst / 1000.0);
  g_assert_cmpint (worst, <, 500 * 1000);

  gtk_window_destroy (window);
  g_object_unref (store);
  procura_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cache_dir = NULL;
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  /* opened attachments are copied under $XDG_CACHE_HOME: a temporary one */
  cache_dir = procura_test_make_tmp_dir ("procura-page-cache-XXXXXX");
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/project-page/no-project", test_no_project);
  g_test_add_func ("/project-page/timeline", test_timeline);
  g_test_add ("/project-page/shows-the-project", PageFixture, NULL,
              page_setup, test_shows_the_project, page_teardown);
  g_test_add ("/project-page/review-cycle", PageFixture, NULL,
              page_setup, test_review_cycle, page_teardown);
  g_test_add ("/project-page/payment-and-reload", PageFixture, NULL,
              page_setup, test_payment_and_reload, page_teardown);
  g_test_add ("/project-page/refused-status", PageFixture, NULL,
              page_setup, test_refused_status, page_teardown);
  g_test_add ("/project-page/attachment", PageFixture, NULL,
              page_setup, test_attachment, page_teardown);
  g_test_add ("/project-page/open-attachment", PageFixture, NULL,
              page_setup, test_open_attachment, page_teardown);
  g_test_add ("/project-page/unknown-project", PageFixture, NULL,
              page_setup, test_unknown_project, page_teardown);
  g_test_add_func ("/project-page/opens-quickly", test_opens_quickly);

  status = g_test_run ();
  procura_test_remove_tree (cache_dir);
  return status;
}
