/* test-workflow.c — the state machines of product.md §3, walked pair by pair
 *
 * The expected graphs below are written from the brief, not copied from
 * procura-workflow.c: every (from, to) pair of every workflow is checked
 * against them, allowed and refused alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-schema.h"
#include "procura-test-utils.h"
#include "procura-workflow.h"

#define MAX_STATES 8

typedef struct
{
  const char *entity;
  const char *initial;
  const char *states[MAX_STATES];   /* every state, NULL-terminated */
  const char *edges[16][2];         /* from → to, { NULL, NULL }-terminated */
  const char *finals[MAX_STATES];   /* NULL-terminated */
} ExpectedGraph;

static const ExpectedGraph expected_graphs[] = {
  /* 草稿 → 执行中 (contract signed) → 已结项 | 提前终止; a draft that never
   * takes effect is revoked (已撤销). */
  {
    "project", "draft",
    { "draft", "active", "completed", "terminated", "cancelled", NULL },
    {
      { "draft", "active" },
      { "draft", "cancelled" },
      { "active", "completed" },
      { "active", "terminated" },
      { NULL, NULL },
    },
    { "completed", "terminated", "cancelled", NULL },
  },
  /* 计划中 → 已提交 → 已通过 | 已退回 → 已提交 again */
  {
    "milestone", "planned",
    { "planned", "submitted", "accepted", "returned", NULL },
    {
      { "planned", "submitted" },
      { "submitted", "accepted" },
      { "submitted", "returned" },
      { "returned", "submitted" },
      { NULL, NULL },
    },
    { "accepted", NULL },
  },
  /* 计划 → 可支付 → 已支付 */
  {
    "payment", "planned",
    { "planned", "payable", "paid", NULL },
    {
      { "planned", "payable" },
      { "payable", "paid" },
      { NULL, NULL },
    },
    { "paid", NULL },
  },
  /* a milestone submission: draft → submitted → accepted | returned →
   * submitted again */
  {
    "report", "draft",
    { "draft", "submitted", "returned", "accepted", NULL },
    {
      { "draft", "submitted" },
      { "submitted", "accepted" },
      { "submitted", "returned" },
      { "returned", "submitted" },
      { NULL, NULL },
    },
    { "accepted", NULL },
  },
  /* scores are recorded on a draft; finalising locks them */
  {
    "evaluation", "draft",
    { "draft", "final", NULL },
    {
      { "draft", "final" },
      { NULL, NULL },
    },
    { "final", NULL },
  },
  /* 待议 → 已议定 → 办理中 → 已办结, 未解决 from any open state */
  {
    "consultation", "pending",
    { "pending", "agreed", "in_progress", "resolved", "unresolved", NULL },
    {
      { "pending", "agreed" },
      { "pending", "unresolved" },
      { "agreed", "in_progress" },
      { "agreed", "resolved" },
      { "agreed", "unresolved" },
      { "in_progress", "resolved" },
      { "in_progress", "unresolved" },
      { NULL, NULL },
    },
    { "resolved", "unresolved", NULL },
  },
};

static gboolean
expected_edge (const ExpectedGraph *graph,
               const char          *from,
               const char          *to)
{
  for (guint i = 0; i < G_N_ELEMENTS (graph->edges) && graph->edges[i][0] != NULL; i++)
    if (strcmp (graph->edges[i][0], from) == 0 && strcmp (graph->edges[i][1], to) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
in_list (const char * const *list,
         guint               max,
         const char         *state)
{
  for (guint i = 0; i < max && list[i] != NULL; i++)
    if (strcmp (list[i], state) == 0)
      return TRUE;

  return FALSE;
}

static guint
count_list (const char * const *list,
            guint               max)
{
  guint n = 0;

  while (n < max && list[n] != NULL)
    n++;

  return n;
}

static const ProcuraFieldInfo *
status_field (const ProcuraEntityInfo *entity)
{
  g_assert_nonnull (entity->status_field);
  return procura_entity_lookup_field (entity, entity->status_field);
}

/* ---- tests ---------------------------------------------------------- */

/* The states of each graph are exactly the codes of its status field. */
static void
test_states_match_catalogue (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);
  const ProcuraFieldInfo *field;
  guint n_codes = 0;

  g_assert_nonnull (entity);
  field = status_field (entity);
  g_assert_nonnull (field);
  g_assert_cmpint (field->type, ==, PROCURA_FIELD_ENUM);

  for (const ProcuraEnumValue *v = field->enum_values; v->code != NULL && n_codes < 32; v++, n_codes++)
    {
      g_test_message ("%s state %s", graph->entity, v->code);
      g_assert_true (in_list (graph->states, MAX_STATES, v->code));
    }
  g_assert_cmpuint (n_codes, ==, count_list (graph->states, MAX_STATES));
}

/* Every ordered pair of states: allowed exactly when it is an edge (or no
 * change at all); refusals are TRANSITION errors naming the field and both
 * states. */
static void
test_every_pair (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);
  const ProcuraFieldInfo *field = status_field (entity);
  guint n_states = count_list (graph->states, MAX_STATES);
  guint n_allowed = 0;

  for (guint i = 0; i < n_states; i++)
    for (guint j = 0; j < n_states; j++)
      {
        const char *from = graph->states[i];
        const char *to = graph->states[j];
        gboolean want = i == j || expected_edge (graph, from, to);
        g_autoptr(GError) error = NULL;
        gboolean got;

        got = procura_workflow_check (entity, from, to, &error);
        g_test_message ("%s: %s → %s expected %s, got %s", graph->entity, from, to,
                        want ? "allowed" : "refused", got ? "allowed" : "refused");
        g_assert_cmpint (got, ==, want);

        if (want)
          {
            g_assert_no_error (error);
            n_allowed += i != j ? 1 : 0;
          }
        else
          {
            g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
            g_assert_nonnull (strstr (error->message, procura_field_get_label (field)));
            g_assert_nonnull (strstr (error->message, procura_field_enum_label (field, from)));
            g_assert_nonnull (strstr (error->message, procura_field_enum_label (field, to)));
          }
      }

  /* every expected edge was seen */
  for (guint i = 0; i < G_N_ELEMENTS (graph->edges) && graph->edges[i][0] != NULL; i++)
    {
      g_assert_true (in_list (graph->states, MAX_STATES, graph->edges[i][0]));
      g_assert_true (in_list (graph->states, MAX_STATES, graph->edges[i][1]));
      n_allowed--;
    }
  g_assert_cmpuint (n_allowed, ==, 0);
}

/* A state outside the enumeration is never a valid target or source. */
static void
test_unknown_states (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);
  guint n_states = count_list (graph->states, MAX_STATES);

  for (guint i = 0; i < n_states; i++)
    {
      g_autoptr(GError) to_error = NULL;
      g_autoptr(GError) from_error = NULL;

      g_assert_false (procura_workflow_check (entity, graph->states[i], "bogus", &to_error));
      g_assert_error (to_error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
      g_assert_false (procura_workflow_check (entity, "bogus", graph->states[i], &from_error));
      g_assert_error (from_error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
    }
}

static void
test_next_states (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);
  guint n_states = count_list (graph->states, MAX_STATES);

  for (guint i = 0; i < n_states; i++)
    {
      const char *from = graph->states[i];
      const char **next = procura_workflow_next_states (entity, from);
      guint n_expected = 0;
      guint n_next;

      g_assert_nonnull (next);
      n_next = count_list (next, MAX_STATES);

      for (guint j = 0; j < n_next; j++)
        {
          g_test_message ("%s: next of %s includes %s", graph->entity, from, next[j]);
          g_assert_true (expected_edge (graph, from, next[j]));
        }
      for (guint j = 0; j < n_states; j++)
        if (expected_edge (graph, from, graph->states[j]))
          {
            g_assert_true (in_list (next, MAX_STATES, graph->states[j]));
            n_expected++;
          }
      g_assert_cmpuint (n_next, ==, n_expected);
    }

  g_assert_null (procura_workflow_next_states (entity, "bogus")[0]);
  g_assert_null (procura_workflow_next_states (entity, NULL)[0]);
}

static void
test_initial_state (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);

  g_assert_cmpstr (procura_workflow_initial_state (entity), ==, graph->initial);
  g_assert_false (procura_workflow_is_final (entity, graph->initial));
}

/* Final states are exactly the listed ones and have no way out; every
 * state is reachable from the initial one. */
static void
test_final_states (gconstpointer data)
{
  const ExpectedGraph *graph = data;
  const ProcuraEntityInfo *entity = procura_schema_lookup (graph->entity);
  guint n_states = count_list (graph->states, MAX_STATES);
  gboolean reached[MAX_STATES] = { FALSE, };

  for (guint i = 0; i < n_states; i++)
    {
      const char *state = graph->states[i];
      gboolean final = in_list (graph->finals, MAX_STATES, state);

      g_test_message ("%s: %s is %sfinal", graph->entity, state, final ? "" : "not ");
      g_assert_cmpint (procura_workflow_is_final (entity, state), ==, final);
      if (final)
        g_assert_null (procura_workflow_next_states (entity, state)[0]);
      else
        g_assert_nonnull (procura_workflow_next_states (entity, state)[0]);
    }
  g_assert_false (procura_workflow_is_final (entity, "bogus"));
  g_assert_false (procura_workflow_is_final (entity, NULL));

  /* reachability: relax the edges n_states times */
  for (guint i = 0; i < n_states; i++)
    reached[i] = strcmp (graph->states[i], graph->initial) == 0;
  for (guint round = 0; round < n_states; round++)
    for (guint i = 0; i < n_states; i++)
      for (guint j = 0; j < n_states; j++)
        if (reached[i] && procura_workflow_check (entity, graph->states[i], graph->states[j], NULL))
          reached[j] = TRUE;
  for (guint i = 0; i < n_states; i++)
    {
      g_test_message ("%s: %s reachable", graph->entity, graph->states[i]);
      g_assert_true (reached[i]);
    }
}

/* Entities without a status field have no workflow: nothing to refuse. */
static void
test_entities_without_workflow (void)
{
  const ProcuraEntityInfo * const *all;
  guint n_all;
  guint n_with = 0;

  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      gboolean listed = FALSE;

      for (guint g = 0; g < G_N_ELEMENTS (expected_graphs); g++)
        listed |= strcmp (expected_graphs[g].entity, all[e]->name) == 0;

      g_test_message ("%s has %sa workflow", all[e]->name, listed ? "" : "no ");
      if (listed)
        {
          g_assert_nonnull (all[e]->status_field);
          n_with++;
          continue;
        }

      g_assert_null (all[e]->status_field);
      g_assert_null (procura_workflow_initial_state (all[e]));
      g_assert_null (procura_workflow_next_states (all[e], "draft")[0]);
      g_assert_false (procura_workflow_is_final (all[e], "final"));
      g_assert_true (procura_workflow_check (all[e], "x", "y", NULL));
    }
  g_assert_cmpuint (n_with, ==, G_N_ELEMENTS (expected_graphs));
}

/* The message lists the allowed next steps, so people know what to do. */
static void
test_refusal_lists_allowed (void)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) final_error = NULL;

  g_assert_false (procura_workflow_check (entity, "draft", "completed", &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
  g_assert_nonnull (strstr (error->message, "Status"));
  g_assert_nonnull (strstr (error->message, "Draft"));
  g_assert_nonnull (strstr (error->message, "Completed"));
  g_assert_nonnull (strstr (error->message, "In progress"));  /* allowed next */
  g_assert_nonnull (strstr (error->message, "Cancelled"));    /* allowed next */

  g_assert_false (procura_workflow_check (PROCURA_ENTITY_REPORT, "accepted", "submitted", &final_error));
  g_assert_error (final_error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
  g_assert_nonnull (strstr (final_error->message, "Review state"));
  g_assert_nonnull (strstr (final_error->message, "Accepted"));
  g_assert_nonnull (strstr (final_error->message, "Submitted"));
}

/* The fewest steps between two states, as the imports walk a record
 * into the state a file names. */
static void
test_path (void)
{
  g_autoptr(GPtrArray) completed = procura_workflow_path (PROCURA_ENTITY_PROJECT, "draft", "completed");
  g_autoptr(GPtrArray) same = procura_workflow_path (PROCURA_ENTITY_PROJECT, "active", "active");
  g_autoptr(GPtrArray) accepted = procura_workflow_path (PROCURA_ENTITY_REPORT, "draft", "accepted");
  g_autoptr(GPtrArray) back = procura_workflow_path (PROCURA_ENTITY_PROJECT, "completed", "draft");
  g_autoptr(GPtrArray) sideways = procura_workflow_path (PROCURA_ENTITY_PROJECT, "cancelled", "active");

  g_assert_nonnull (completed);
  g_assert_cmpuint (completed->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (completed, 0), ==, "active");
  g_assert_cmpstr (g_ptr_array_index (completed, 1), ==, "completed");

  g_assert_nonnull (same);
  g_assert_cmpuint (same->len, ==, 0);

  /* every step is an edge of the graph, and it ends where asked */
  g_assert_nonnull (accepted);
  g_assert_cmpuint (accepted->len, >=, 2);
  for (guint i = 0; i < accepted->len; i++)
    g_assert_true (procura_workflow_check (PROCURA_ENTITY_REPORT,
                                           i == 0 ? "draft" : g_ptr_array_index (accepted, i - 1),
                                           g_ptr_array_index (accepted, i), NULL));
  g_assert_cmpstr (g_ptr_array_index (accepted, accepted->len - 1), ==, "accepted");

  g_assert_null (back);
  g_assert_null (sideways);
}

/* ---- running tests ------------------------------------------------- */

int
main (int argc, char *argv[])
{
  static const struct { const char *name; GTestDataFunc func; } per_graph[] = {
    { "states", test_states_match_catalogue },
    { "every-pair", test_every_pair },
    { "unknown-states", test_unknown_states },
    { "next-states", test_next_states },
    { "initial", test_initial_state },
    { "final", test_final_states },
  };

  /* each test in a child process of its own */
  procura_test_init (&argc, &argv);

  for (guint g = 0; g < G_N_ELEMENTS (expected_graphs); g++)
    for (guint t = 0; t < G_N_ELEMENTS (per_graph); t++)
      {
        g_autofree char *path = g_strdup_printf ("/workflow/%s/%s", expected_graphs[g].entity,
                                                 per_graph[t].name);
        procura_test_add_isolated_data (path, &expected_graphs[g], per_graph[t].func);
      }
  procura_test_add_isolated ("/workflow/none", test_entities_without_workflow);
  procura_test_add_isolated ("/workflow/message", test_refusal_lists_allowed);
  procura_test_add_isolated ("/workflow/path", test_path);

  return g_test_run ();
}
