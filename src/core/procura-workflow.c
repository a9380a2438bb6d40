/* procura-workflow.c
 *
 * The graphs are data, so the GUI can offer exactly the allowed next steps
 * and the tests can walk every edge.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-workflow.h"

typedef struct
{
  const char *from;
  const char *to[5];
} Edge;

typedef struct
{
  const char *entity;
  const char *initial;
  const Edge *edges;
  guint       n_edges;
  const char *finals[4];
} Graph;

/* 草稿 → 执行中 → 已结项 | 提前终止; 草稿 → 已撤销 (a contract is revoked
 * before it takes effect; once in force it can only be terminated). */
static const Edge project_edges[] = {
  { "draft", { "active", "cancelled", NULL } },
  { "active", { "completed", "terminated", NULL } },
};

/* 计划中 → 已提交 → 已通过 | 已退回 → 已提交 */
static const Edge milestone_edges[] = {
  { "planned", { "submitted", NULL } },
  { "submitted", { "accepted", "returned", NULL } },
  { "returned", { "submitted", NULL } },
};

/* 计划 → 可支付 → 已支付 */
static const Edge payment_edges[] = {
  { "planned", { "payable", NULL } },
  { "payable", { "paid", NULL } },
};

static const Edge report_edges[] = {
  { "draft", { "submitted", NULL } },
  { "submitted", { "accepted", "returned", NULL } },
  { "returned", { "submitted", NULL } },
};

/* A final evaluation is locked: its scores are evidence. */
static const Edge evaluation_edges[] = {
  { "draft", { "final", NULL } },
};

static const Edge consultation_edges[] = {
  { "pending", { "agreed", "unresolved", NULL } },
  { "agreed", { "in_progress", "resolved", "unresolved", NULL } },
  { "in_progress", { "resolved", "unresolved", NULL } },
};

#define GRAPH(e, init, edges, ...) { e, init, edges, G_N_ELEMENTS (edges), { __VA_ARGS__ } }

static const Graph graphs[] = {
  GRAPH ("project", "draft", project_edges, "completed", "terminated", "cancelled", NULL),
  GRAPH ("milestone", "planned", milestone_edges, "accepted", NULL),
  GRAPH ("payment", "planned", payment_edges, "paid", NULL),
  GRAPH ("report", "draft", report_edges, "accepted", NULL),
  GRAPH ("evaluation", "draft", evaluation_edges, "final", NULL),
  GRAPH ("consultation", "pending", consultation_edges, "resolved", "unresolved", NULL),
};

static const char *no_states[] = { NULL };

static const Graph *
lookup_graph (const ProcuraEntityInfo *entity)
{
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    if (strcmp (graphs[i].entity, entity->name) == 0)
      return &graphs[i];

  return NULL;
}

const char *
procura_workflow_initial_state (const ProcuraEntityInfo *entity)
{
  const Graph *graph = lookup_graph (entity);

  return graph != NULL ? graph->initial : NULL;
}

const char **
procura_workflow_next_states (const ProcuraEntityInfo *entity,
                              const char              *from)
{
  const Graph *graph = lookup_graph (entity);

  if (graph == NULL || from == NULL)
    return no_states;

  for (guint i = 0; i < graph->n_edges; i++)
    if (strcmp (graph->edges[i].from, from) == 0)
      return (const char **) graph->edges[i].to;

  return no_states;
}

gboolean
procura_workflow_is_final (const ProcuraEntityInfo *entity,
                           const char              *state)
{
  const Graph *graph = lookup_graph (entity);

  if (graph == NULL || state == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (graph->finals) && graph->finals[i] != NULL; i++)
    if (strcmp (graph->finals[i], state) == 0)
      return TRUE;

  return FALSE;
}

gboolean
procura_workflow_check (const ProcuraEntityInfo *entity,
                        const char              *from,
                        const char              *to,
                        GError                 **error)
{
  const ProcuraFieldInfo *field;
  const char **next;

  g_return_val_if_fail (entity != NULL, FALSE);

  if (entity->status_field == NULL || g_strcmp0 (from, to) == 0)
    return TRUE;

  field = procura_entity_lookup_field (entity, entity->status_field);
  next = procura_workflow_next_states (entity, from);
  for (guint i = 0; next[i] != NULL; i++)
    if (g_strcmp0 (next[i], to) == 0)
      return TRUE;

  if (next[0] == NULL)
    g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                 _("%s: a %s that is “%s” can no longer change to “%s”"),
                 procura_field_get_label (field), procura_entity_get_label (entity),
                 procura_field_enum_label (field, from), procura_field_enum_label (field, to));
  else
    {
      g_autoptr(GString) allowed = g_string_new (NULL);

      for (guint i = 0; next[i] != NULL; i++)
        g_string_append_printf (allowed, "%s“%s”", i > 0 ? _(", ") : "",
                                procura_field_enum_label (field, next[i]));
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: a %s cannot go from “%s” to “%s”; allowed next: %s"),
                   procura_field_get_label (field), procura_entity_get_label (entity),
                   procura_field_enum_label (field, from), procura_field_enum_label (field, to),
                   allowed->str);
    }

  return FALSE;
}

GPtrArray *
procura_workflow_path (const ProcuraEntityInfo *entity,
                       const char              *from,
                       const char              *to)
{
  g_autoptr(GHashTable) parent = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) queue = g_queue_new ();
  GPtrArray *path;

  g_return_val_if_fail (entity != NULL && from != NULL && to != NULL, NULL);

  /* breadth first over a graph of a handful of states */
  g_hash_table_insert (parent, (gpointer) from, (gpointer) "");
  g_queue_push_tail (queue, (gpointer) from);
  while (!g_queue_is_empty (queue))
    {
      const char *state = g_queue_pop_head (queue);
      const char **next = procura_workflow_next_states (entity, state);

      for (guint i = 0; next != NULL && next[i] != NULL; i++)
        if (!g_hash_table_contains (parent, next[i]))
          {
            g_hash_table_insert (parent, (gpointer) next[i], (gpointer) state);
            g_queue_push_tail (queue, (gpointer) next[i]);
          }
    }
  if (!g_hash_table_contains (parent, to))
    return NULL;

  path = g_ptr_array_new ();
  for (const char *s = to; g_strcmp0 (s, from) != 0; s = g_hash_table_lookup (parent, s))
    g_ptr_array_insert (path, 0, (gpointer) s);

  return path;
}
