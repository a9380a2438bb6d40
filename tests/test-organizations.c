/* test-organizations.c — the organizations read model and
 * ProcuraOrganizationsPage
 *
 * The query tests need no display: a store built by hand (two agencies, a
 * buyer, an organization without projects; projects with final, draft and
 * superseded evaluations, an amendment, a cancelled and a deleted project)
 * and the figures procura_store_query_organizations() must give for it.
 *
 * The page tests run under a display (xvfb-run in build-aux/test.sh) on
 * the same store: the list, the search, the details of a selection and
 * its projects, win.open-project, and adding an organization through the
 * record editor, which refuses an invalid credit code with its message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "procura-grade.h"
#include "procura-organizations-page.h"
#include "procura-organizations-query.h"
#include "procura-project-row.h"
#include "procura-query.h"
#include "procura-record-editor.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define INVALID_USCC "52420000MJH233402A"   /* wrong check character */
#define VALID_USCC   "52420000MJH233402K"

/* The hand-built store */
typedef struct
{
  Fixture  f;
  char    *agency_a;     /* 4 live projects: 2 graded, a draft, a cancelled one */
  char    *agency_b;     /* 2 projects: one graded, one with a draft evaluation */
  char    *buyer;        /* buys every project, carries out none */
  char    *idle;         /* no projects at all */
  char    *uscc_a;
  char    *p1;           /* A, amended, two final evaluations: the later counts */
  char    *p2;           /* A */
  char    *p3;           /* A, draft */
  char    *p4;           /* A, cancelled */
  char    *p5;           /* A, a draft deleted with its evaluation */
  char    *p6;           /* B */
  char    *p7;           /* B, draft evaluation only */
  GStrv    a_titles;
} OrgFixture;

#define A_VALUE_P1 G_GINT64_CONSTANT (10000000)   /* ¥100,000.00 */
#define A_DELTA_P1 G_GINT64_CONSTANT (1000000)    /* +¥10,000.00 */
#define A_VALUE_P2 G_GINT64_CONSTANT (20000000)
#define A_VALUE_P3 G_GINT64_CONSTANT (3000000)
#define A_VALUE_P4 G_GINT64_CONSTANT (4000000)    /* cancelled: not in the total */
#define A_VALUE_P5 G_GINT64_CONSTANT (50000000)   /* deleted */
#define B_VALUE_P6 G_GINT64_CONSTANT (8000000)
#define B_VALUE_P7 G_GINT64_CONSTANT (6000000)

static char *
add_project (OrgFixture *of,
             const char *code,
             const char *agency,
             gint64      value,
             const char *status)
{
  g_autoptr(ProcuraRecord) project = new_project (&of->f, code);
  char *id;

  procura_record_set_string (project, "buyer_id", of->buyer);
  set_contract (project, agency, value);
  id = insert_ok (&of->f, project);
  if (g_strcmp0 (status, "draft") != 0)
    set_state (&of->f, PROCURA_ENTITY_PROJECT, id, status);

  return id;
}

static void
delete_ok (OrgFixture              *of,
           const ProcuraEntityInfo *entity,
           const char              *id)
{
  g_autoptr(GError) error = NULL;

  gboolean deleted = procura_store_delete (of->f.store, entity, id, &error);

  g_assert_no_error (error);
  g_assert_true (deleted);
}

static void
org_fixture_setup (OrgFixture    *of,
                   gconstpointer  data)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-organizations-XXXXXX");
  g_autofree char *superseded = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *p2_eval = NULL;
  g_autofree char *p5_eval = NULL;
  g_autofree char *p6_eval = NULL;
  g_autofree char *p7_eval = NULL;
  g_autofree char *p7_criterion = NULL;
  g_autofree char *amendment = NULL;
  g_autofree char *p5_criterion = NULL;

  fixture_open (&of->f, dir);

  if (GPOINTER_TO_INT (data) == 0)
    return;  /* the empty store */

  of->agency_a = add_org_full (&of->f, "天元区齐心社会工作服务中心", "social_work_agency", &of->uscc_a);
  of->agency_b = add_org (&of->f, "株洲市心连心社会工作发展中心", "social_work_agency");
  of->buyer = add_org (&of->f, "天元区民政局", "civil_affairs_bureau");
  of->idle = add_org (&of->f, "天元区阳光志愿者协会", "volunteer_organization");
  set_text (&of->f, PROCURA_ENTITY_ORGANIZATION, of->agency_b, "contact_person", "王芳");

  /* A: 90 (the later of two final evaluations) and 80.51: average 85.255,
   * rounded half up to 85.26 — 良好 */
  of->p1 = add_project (of, "TY-2021-001", of->agency_a, A_VALUE_P1, "active");
  amendment = add_amendment (&of->f, of->p1, A_DELTA_P1, NULL);
  superseded = add_final_evaluation (&of->f, of->p1, "midterm", "2021-06-30", 7000);
  latest = add_final_evaluation (&of->f, of->p1, "final", "2021-12-20", 9000);
  of->p2 = add_project (of, "TY-2021-002", of->agency_a, A_VALUE_P2, "active");
  p2_eval = add_final_evaluation (&of->f, of->p2, "final", "2021-12-01", 8051);
  of->p3 = add_project (of, "TY-2021-003", of->agency_a, A_VALUE_P3, "draft");
  of->p4 = add_project (of, "TY-2021-004", of->agency_a, A_VALUE_P4, "cancelled");

  /* a deleted project counts for nothing (only drafts can be deleted,
   * and a final evaluation never: it had a draft one, deleted first) */
  of->p5 = add_project (of, "TY-2021-005", of->agency_a, A_VALUE_P5, "draft");
  p5_eval = add_evaluation (&of->f, of->p5, "final", "2021-12-25");
  p5_criterion = add_criterion (&of->f, p5_eval, NULL, 1, "综合", 10000, 1000);
  delete_ok (of, PROCURA_ENTITY_CRITERION, p5_criterion);
  delete_ok (of, PROCURA_ENTITY_EVALUATION, p5_eval);
  delete_ok (of, PROCURA_ENTITY_PROJECT, of->p5);

  /* B: 59.5 — 不合格; a draft evaluation does not count */
  of->p6 = add_project (of, "TY-2021-006", of->agency_b, B_VALUE_P6, "active");
  p6_eval = add_final_evaluation (&of->f, of->p6, "final", "2021-12-01", 5950);
  of->p7 = add_project (of, "TY-2021-007", of->agency_b, B_VALUE_P7, "active");
  p7_eval = add_evaluation (&of->f, of->p7, "final", "2021-12-02");
  p7_criterion = add_criterion (&of->f, p7_eval, NULL, 1, "综合", 10000, 9900);
}

static void
org_fixture_teardown (OrgFixture    *of,
                      gconstpointer  data)
{
  g_autofree char *dir = g_strdup (of->f.dir);

  fixture_close (&of->f);
  procura_test_remove_tree (dir);

  g_free (of->agency_a);
  g_free (of->agency_b);
  g_free (of->buyer);
  g_free (of->idle);
  g_free (of->uscc_a);
  g_free (of->p1);
  g_free (of->p2);
  g_free (of->p3);
  g_free (of->p4);
  g_free (of->p5);
  g_free (of->p6);
  g_free (of->p7);
}

/* The row of id, which must be there. */
static ProcuraOrganizationRow *
find_row (GPtrArray  *rows,
          const char *id)
{
  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraOrganizationRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->id, id) == 0)
        return row;
    }

  g_error ("No row for organization %s", id);
}

static GPtrArray *
query_ok (OrgFixture *of,
          const char *search)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = procura_store_query_organizations (of->f.store, search, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);

  return rows;
}

/* ---- the query ------------------------------------------------------- */

static void
test_query_figures (OrgFixture    *of,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = query_ok (of, NULL);
  ProcuraOrganizationRow *a = find_row (rows, of->agency_a);
  ProcuraOrganizationRow *b = find_row (rows, of->agency_b);
  ProcuraOrganizationRow *buyer = find_row (rows, of->buyer);
  ProcuraOrganizationRow *idle = find_row (rows, of->idle);

  g_assert_cmpuint (rows->len, ==, 4);

  /* A: the deleted project is not counted; the cancelled one is, but not
   * its value; the amendment is in the value */
  g_assert_cmpstr (a->name, ==, "天元区齐心社会工作服务中心");
  g_assert_cmpstr (a->uscc, ==, of->uscc_a);
  g_assert_cmpstr (a->kind, ==, "social_work_agency");
  g_assert_cmpuint (a->n_projects, ==, 4);
  g_assert_cmpuint (a->n_active, ==, 2);
  g_assert_cmpuint (a->n_graded, ==, 2);
  g_assert_cmpuint (a->n_purchased, ==, 0);
  g_assert_cmpint (a->total_value, ==, A_VALUE_P1 + A_DELTA_P1 + A_VALUE_P2 + A_VALUE_P3);
  g_assert_cmpint (a->average_score, ==, 8526);   /* (9000 + 8051) / 2, half up */
  g_assert_cmpstr (a->average_grade, ==, "良好");

  /* B: the draft evaluation does not count */
  g_assert_cmpuint (b->n_projects, ==, 2);
  g_assert_cmpuint (b->n_active, ==, 2);
  g_assert_cmpuint (b->n_graded, ==, 1);
  g_assert_cmpint (b->total_value, ==, B_VALUE_P6 + B_VALUE_P7);
  g_assert_cmpint (b->average_score, ==, 5950);
  g_assert_cmpstr (b->average_grade, ==, "不合格");
  g_assert_cmpstr (b->contact_person, ==, "王芳");

  /* the buyer of every live project, the agency of none */
  g_assert_cmpuint (buyer->n_projects, ==, 0);
  g_assert_cmpuint (buyer->n_purchased, ==, 6);
  g_assert_cmpint (buyer->total_value, ==, 0);
  g_assert_cmpint (buyer->average_score, ==, -1);
  g_assert_null (buyer->average_grade);

  g_assert_cmpuint (idle->n_projects, ==, 0);
  g_assert_cmpuint (idle->n_purchased, ==, 0);
  g_assert_cmpint (idle->average_score, ==, -1);
  g_assert_null (idle->average_grade);
}

/* The average follows the latest final evaluation, like the ledger. */
static void
test_query_latest_evaluation (OrgFixture    *of,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) before = query_ok (of, NULL);
  g_autoptr(GPtrArray) after = NULL;
  g_autofree char *newer = NULL;

  g_assert_cmpint (find_row (before, of->agency_b)->average_score, ==, 5950);

  newer = add_final_evaluation (&of->f, of->p6, "spot_check", "2021-12-30", 6500);
  after = query_ok (of, NULL);
  g_assert_cmpint (find_row (after, of->agency_b)->average_score, ==, 6500);
  g_assert_cmpstr (find_row (after, of->agency_b)->average_grade, ==, "合格");
  g_assert_cmpuint (find_row (after, of->agency_b)->n_graded, ==, 1);
}

static void
test_query_order (OrgFixture    *of,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = query_ok (of, NULL);

  for (guint i = 1; i < rows->len; i++)
    {
      ProcuraOrganizationRow *x = g_ptr_array_index (rows, i - 1);
      ProcuraOrganizationRow *y = g_ptr_array_index (rows, i);

      g_assert_cmpint (g_utf8_collate (x->name, y->name), <=, 0);
    }
}

static guint
count_search (OrgFixture *of,
              const char *search)
{
  g_autoptr(GPtrArray) rows = query_ok (of, search);

  return rows->len;
}

static void
test_query_search (OrgFixture    *of,
                   gconstpointer  data)
{
  g_autofree char *lower = g_ascii_strdown (of->uscc_a, -1);
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_cmpuint (count_search (of, NULL), ==, 4);
  g_assert_cmpuint (count_search (of, ""), ==, 4);
  g_assert_cmpuint (count_search (of, " \u3000 "), ==, 4);
  g_assert_cmpuint (count_search (of, "社会工作"), ==, 2);
  g_assert_cmpuint (count_search (of, "民政"), ==, 1);
  g_assert_cmpuint (count_search (of, "王芳"), ==, 1);          /* contact person */
  g_assert_cmpuint (count_search (of, "天元区 协会"), ==, 1);   /* every term */
  g_assert_cmpuint (count_search (of, "天元区\u3000协会"), ==, 1);
  g_assert_cmpuint (count_search (of, "不存在的机构"), ==, 0);

  /* the credit code, in any case */
  rows = query_ok (of, lower);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((ProcuraOrganizationRow *) g_ptr_array_index (rows, 0))->id, ==, of->agency_a);
}

/* An organization's projects are the ledger's, for filter.agency. */
static void
test_query_projects (OrgFixture    *of,
                     gconstpointer  data)
{
  const char *agencies[] = { of->agency_a, of->agency_b, of->buyer, of->idle };

  for (guint k = 0; k < G_N_ELEMENTS (agencies); k++)
    {
      g_autoptr(GPtrArray) mine = NULL;
      g_autoptr(GPtrArray) ledger = NULL;
      g_autoptr(GError) error = NULL;
      ProcuraLedgerFilter filter = { 0 };

      filter.agency = agencies[k];
      ledger = procura_store_query_ledger (of->f.store, &filter, NULL, &error);
      g_assert_no_error (error);
      mine = procura_store_query_organization_projects (of->f.store, agencies[k], &error);
      g_assert_no_error (error);

      g_assert_cmpuint (mine->len, ==, ledger->len);
      for (guint i = 0; i < mine->len; i++)
        {
          ProcuraLedgerRow *x = g_ptr_array_index (mine, i);
          ProcuraLedgerRow *y = g_ptr_array_index (ledger, i);

          g_assert_cmpstr (x->id, ==, y->id);
          g_assert_cmpstr (x->code, ==, y->code);
          g_assert_cmpstr (x->title, ==, y->title);
          g_assert_cmpstr (x->status, ==, y->status);
          g_assert_cmpstr (x->agency_name, ==, y->agency_name);
          g_assert_cmpint (x->value, ==, y->value);
          g_assert_cmpint (x->amended_value, ==, y->amended_value);
          g_assert_cmpint (x->paid, ==, y->paid);
          g_assert_cmpint (x->latest_score, ==, y->latest_score);
          g_assert_cmpstr (x->latest_grade, ==, y->latest_grade);
          g_assert_cmpstr (x->next_due, ==, y->next_due);
          g_assert_cmpuint (x->n_milestones, ==, y->n_milestones);
          g_assert_cmpuint (x->n_overdue, ==, y->n_overdue);
        }
    }
}

/* ---- the page -------------------------------------------------------- */

typedef struct
{
  GtkWindow                *window;
  ProcuraOrganizationsPage *page;
  char                     *opened;   /* the last win.open-project */
} PageHarness;

static void
open_project_cb (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  PageHarness *h = user_data;

  g_free (h->opened);
  h->opened = g_variant_dup_string (param, NULL);
}

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

/* the editor's debounced dry run */
static void
wait_for_check (void)
{
  gint64 until = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
harness_open (PageHarness  *h,
              ProcuraStore *store)
{
  static const GActionEntry entries[] = {
    { "open-project", open_project_cb, "s", NULL, NULL, { 0 } },
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();

  h->opened = NULL;
  h->window = GTK_WINDOW (gtk_window_new ());
  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), h);
  gtk_widget_insert_action_group (GTK_WIDGET (h->window), "win", G_ACTION_GROUP (group));

  h->page = PROCURA_ORGANIZATIONS_PAGE (procura_organizations_page_new (store));
  g_assert_true (procura_organizations_page_get_store (h->page) == store);
  gtk_window_set_child (h->window, GTK_WIDGET (h->page));
  gtk_window_set_default_size (h->window, 1280, 800);
  gtk_window_present (h->window);
  wait_for_draw (GTK_WIDGET (h->window));
}

static void
harness_close (PageHarness *h)
{
  GtkWidget *page = GTK_WIDGET (h->page);

  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  gtk_window_destroy (h->window);
  iterate ();
  g_assert_null (page);   /* nothing keeps the page alive */
  g_clear_pointer (&h->opened, g_free);
}

/* The widget below root whose type is type and, when text is not NULL,
 * that shows text (a label's, a row's title or a status page's title). */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *text)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      const char *shown = NULL;

      if (GTK_IS_LABEL (root))
        shown = gtk_label_get_text (GTK_LABEL (root));
      else if (ADW_IS_PREFERENCES_ROW (root))
        shown = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root));
      else if (ADW_IS_STATUS_PAGE (root))
        shown = adw_status_page_get_title (ADW_STATUS_PAGE (root));

      if (text == NULL || g_strcmp0 (shown, text) == 0)
        return root;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_shown (GtkWidget *widget)
{
  return widget != NULL && gtk_widget_get_mapped (widget);
}

static void
test_page_lists_and_searches (OrgFixture    *of,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = query_ok (of, NULL);
  PageHarness h;
  GListModel *model;

  harness_open (&h, of->f.store);
  model = procura_organizations_page_get_model (h.page);

  /* every organization, with the figures of the query */
  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 4);
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraOrganizationItem) item = g_list_model_get_item (model, i);
      const ProcuraOrganizationRow *shown = procura_organization_item_get_row (item);
      ProcuraOrganizationRow *expected = find_row (rows, shown->id);

      g_assert_cmpstr (shown->name, ==, expected->name);
      g_assert_cmpuint (shown->n_projects, ==, expected->n_projects);
      g_assert_cmpint (shown->average_score, ==, expected->average_score);
    }
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_COLUMN_VIEW, NULL)));
  /* nothing selected yet */
  g_assert_null (procura_organizations_page_get_selected_id (h.page));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), ADW_TYPE_STATUS_PAGE, "No Organization Selected")));

  /* the search narrows */
  procura_organizations_page_set_search_text (h.page, "社会工作");
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 4);

  procura_organizations_page_set_search_text (h.page, "社会工作 心连心");
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 1);
  {
    g_autoptr(ProcuraOrganizationItem) item = g_list_model_get_item (model, 0);

    g_assert_cmpstr (procura_organization_item_get_id (item), ==, of->agency_b);
  }

  /* nothing found */
  procura_organizations_page_set_search_text (h.page, "不存在的机构");
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 0);
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), ADW_TYPE_STATUS_PAGE, "No Results Found")));

  /* cleared: all again */
  procura_organizations_page_set_search_text (h.page, "");
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 4);
  g_assert_false (is_shown (find_widget (GTK_WIDGET (h.page), ADW_TYPE_STATUS_PAGE, "No Results Found")));

  harness_close (&h);
}

static void
test_page_selection_shows_projects (OrgFixture    *of,
                                    gconstpointer  data)
{
  g_autoptr(ProcuraRecord) p1 = get_ok (&of->f, PROCURA_ENTITY_PROJECT, of->p1);
  const char *expected[] = { of->p4, of->p3, of->p2, of->p1 };   /* newest number first */
  PageHarness h;
  GListModel *projects;
  GtkWidget *row;

  harness_open (&h, of->f.store);
  projects = procura_organizations_page_get_projects (h.page);

  /* an unknown id selects nothing */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (h.page), "organizations.select", "s", "no-such-id"));
  g_assert_null (procura_organizations_page_get_selected_id (h.page));

  /* selecting shows its details and its live projects, by number */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (h.page), "organizations.select", "s", of->agency_a));
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpstr (procura_organizations_page_get_selected_id (h.page), ==, of->agency_a);
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "天元区齐心社会工作服务中心")));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, of->uscc_a)));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "85.26")));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "良好")));
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(ProcuraProjectRow) project = g_list_model_get_item (projects, i);

      g_assert_cmpstr (procura_project_row_get_id (project), ==, expected[i]);
    }
  {
    g_autoptr(ProcuraProjectRow) last = g_list_model_get_item (projects, 3);

    g_assert_cmpstr (procura_project_row_get_grade (last), ==, "优秀");
    g_assert_cmpint (procura_project_row_get_amended_value (last), ==, A_VALUE_P1 + A_DELTA_P1);
  }

  /* activating a project opens it through the window */
  row = find_widget (GTK_WIDGET (h.page), ADW_TYPE_ACTION_ROW, procura_record_get_string (p1, "title"));
  g_assert_true (is_shown (row));
  gtk_widget_activate (row);
  g_assert_cmpstr (h.opened, ==, of->p1);

  /* another one */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (h.page), "organizations.select", "s", of->agency_b));
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpstr (procura_organizations_page_get_selected_id (h.page), ==, of->agency_b);
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 2);
  g_assert_false (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "天元区齐心社会工作服务中心")));

  /* a search hiding the selection keeps the details; selecting what the
   * search hides clears the search */
  procura_organizations_page_set_search_text (h.page, "民政");
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpstr (procura_organizations_page_get_selected_id (h.page), ==, of->agency_b);
  g_assert_true (procura_organizations_page_select (h.page, of->agency_a));
  g_assert_cmpstr (procura_organizations_page_get_search_text (h.page), ==, "");
  g_assert_cmpuint (procura_organizations_page_get_n_shown (h.page), ==, 4);

  /* no projects: says so */
  g_assert_true (procura_organizations_page_select (h.page, of->idle));
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 0);
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "Not the contracted agency of any project")));

  /* a reload keeps the selection and shows the new figures */
  set_text (&of->f, PROCURA_ENTITY_ORGANIZATION, of->idle, "name", "天元区阳光志愿服务协会");
  g_assert_true (procura_organizations_page_reload (h.page, NULL));
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpstr (procura_organizations_page_get_selected_id (h.page), ==, of->idle);
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "天元区阳光志愿服务协会")));

  /* unselected */
  g_assert_true (procura_organizations_page_select (h.page, NULL));
  g_assert_null (procura_organizations_page_get_selected_id (h.page));
  g_assert_cmpuint (g_list_model_get_n_items (projects), ==, 0);

  harness_close (&h);
}

static ProcuraRecordEditor *
find_editor (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* not ours */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (PROCURA_IS_RECORD_EDITOR (window))
        return PROCURA_RECORD_EDITOR (window);
    }

  return NULL;
}

static void
test_page_add_refuses_invalid_code (OrgFixture    *of,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ProcuraRecordEditor *editor;
  g_autofree char *saved = NULL;
  const char *message;
  PageHarness h;

  harness_open (&h, of->f.store);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (h.page), "organizations.add", NULL));
  wait_for_draw (GTK_WIDGET (h.window));
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_true (procura_record_editor_get_entity (editor) == PROCURA_ENTITY_ORGANIZATION);
  g_assert_null (procura_record_editor_get_record_id (editor));

  g_assert_true (procura_record_editor_set_text (editor, "name", "天元区同心社会工作服务中心"));
  g_assert_true (procura_record_editor_set_text (editor, "kind", "social_work_agency"));
  g_assert_true (procura_record_editor_set_text (editor, "uscc", INVALID_USCC));
  wait_for_check ();

  /* refused, the message next to the code names it and the reason */
  message = procura_record_editor_get_error (editor, "uscc");
  g_assert_nonnull (message);
  g_test_message ("refused: %s", message);
  g_assert_nonnull (strstr (message, "credit code"));
  g_assert_nonnull (strstr (message, "check character should be “K”"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  g_assert_false (procura_record_editor_save (editor, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (count_search (of, NULL), ==, 4);
  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 4);

  /* fixed: saved, listed and selected */
  g_assert_true (procura_record_editor_set_text (editor, "uscc", VALID_USCC));
  wait_for_check ();
  g_assert_null (procura_record_editor_get_error (editor, "uscc"));
  g_object_ref (editor);   /* it closes itself once saved */
  g_assert_true (procura_record_editor_save (editor, &error));
  g_assert_no_error (error);
  saved = g_strdup (procura_record_editor_get_saved_id (editor));
  g_assert_nonnull (saved);
  g_object_unref (editor);
  iterate ();

  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 5);
  g_assert_cmpstr (procura_organizations_page_get_selected_id (h.page), ==, saved);
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "天元区同心社会工作服务中心")));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, VALID_USCC)));
  /* what the code says: 民政 / 民办非企业单位, division 420000 */
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_LABEL, "420000")));

  g_assert_null (find_editor ());

  /* organizations.edit opens the editor on the selection */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (h.page), "organizations.edit", "s", of->agency_a));
  editor = find_editor ();
  g_assert_nonnull (editor);
  g_assert_cmpstr (procura_record_editor_get_record_id (editor), ==, of->agency_a);
  gtk_window_destroy (GTK_WINDOW (editor));

  harness_close (&h);
}

static void
test_page_empty_store (OrgFixture    *of,
                       gconstpointer  data)
{
  PageHarness h;

  harness_open (&h, of->f.store);

  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 0);
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), ADW_TYPE_STATUS_PAGE, "No Organizations")));
  g_assert_false (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_COLUMN_VIEW, NULL)));

  /* one added elsewhere: a reload lists it */
  g_free (add_org (&of->f, "天元区齐心社会工作服务中心", "social_work_agency"));
  g_assert_true (procura_organizations_page_reload (h.page, NULL));
  wait_for_draw (GTK_WIDGET (h.window));
  g_assert_cmpuint (procura_organizations_page_get_n_organizations (h.page), ==, 1);
  g_assert_false (is_shown (find_widget (GTK_WIDGET (h.page), ADW_TYPE_STATUS_PAGE, "No Organizations")));
  g_assert_true (is_shown (find_widget (GTK_WIDGET (h.page), GTK_TYPE_COLUMN_VIEW, NULL)));

  harness_close (&h);
}

int
main (int    argc,
      char **argv)
{
  gboolean display = g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;

  if (display)
    {
      gtk_test_init (&argc, &argv, NULL);
      adw_init ();
    }
  else
    {
      /* the query tests need no display */
      setlocale (LC_ALL, "");
      g_test_init (&argc, &argv, NULL);
    }

  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

#define ADD(path, func, data) \
  g_test_add (path, OrgFixture, GINT_TO_POINTER (data), org_fixture_setup, func, org_fixture_teardown)

  ADD ("/organizations/query/figures", test_query_figures, 1);
  ADD ("/organizations/query/latest-evaluation", test_query_latest_evaluation, 1);
  ADD ("/organizations/query/order", test_query_order, 1);
  ADD ("/organizations/query/search", test_query_search, 1);
  ADD ("/organizations/query/projects", test_query_projects, 1);

  if (display)
    {
      ADD ("/organizations/page/lists-and-searches", test_page_lists_and_searches, 1);
      ADD ("/organizations/page/selection-shows-projects", test_page_selection_shows_projects, 1);
      ADD ("/organizations/page/add-refuses-invalid-code", test_page_add_refuses_invalid_code, 1);
      ADD ("/organizations/page/empty-store", test_page_empty_store, 0);
    }
  else
    {
      g_test_message ("No display (run under xvfb-run): the page tests are skipped");
    }

#undef ADD

  return g_test_run ();
}
