/* procura-conflicts-window.c — sync conflicts, both values, and the choice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "procura-conflicts-window.h"
#include "procura-date.h"
#include "procura-schema.h"
#include "procura-store-sync.h"

struct _ProcuraConflictsWindow
{
  AdwWindow           parent_instance;

  ProcuraApplication *application;
  GPtrArray          *conflicts;
  GPtrArray          *groups;

  AdwToastOverlay    *toast_overlay;
  GtkStack           *stack;
  GtkBox             *list_box;
};

G_DEFINE_FINAL_TYPE (ProcuraConflictsWindow, procura_conflicts_window, ADW_TYPE_WINDOW)

/* A conflict's value as people read it (¥130,000.00, not 13000000), as
 * procura-cli conflicts shows it. */
static char *
value_display (const ProcuraFieldInfo *field,
               const char             *text)
{
  g_autoptr(GVariant) value = NULL;

  if (text == NULL)
    return g_strdup (_("(empty)"));
  if (field == NULL || !(value = procura_field_value_from_text (field, text)))
    return g_strdup (text);

  return procura_field_value_to_display (field, value);
}

/* "项目 · 社区居家养老服务" */
static char *
record_title (ProcuraStore            *store,
              const ProcuraEntityInfo *entity,
              const ProcuraConflict   *conflict)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autofree char *name = NULL;
  const ProcuraFieldInfo *title_field;

  if (entity == NULL)
    return g_strdup_printf ("%s · %s", conflict->entity, conflict->record_id);

  if (store != NULL && entity->title_field != NULL &&
      (record = procura_store_get (store, entity, conflict->record_id, NULL)) &&
      (title_field = procura_entity_lookup_field (entity, entity->title_field)))
    {
      int index = procura_entity_field_index (entity, entity->title_field);
      GVariant *value = index >= 0 && procura_record_is_set (record, index)
                        ? procura_record_get_value (record, index) : NULL;

      if (value != NULL)
        name = procura_field_value_to_display (title_field, value);
    }

  return g_strdup_printf ("%s · %s", procura_entity_get_label (entity),
                          name != NULL ? name : conflict->record_id);
}

static void
add_error_toast (ProcuraConflictsWindow *self,
                 const GError           *error)
{
  /* toast titles are markup in libadwaita 1.2 */
  g_autofree char *title = g_markup_escape_text (error->message, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static GtkWidget *
choice_button (const char *label,
               gint64      id,
               gboolean    keep_mine,
               gboolean    suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "conflicts.keep");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new ("(xb)", id, keep_mine));
  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");

  return button;
}

static GtkWidget *
value_row (const char *value,
           const char *subtitle,
           GtkWidget  *button)
{
  GtkWidget *row = adw_action_row_new ();

  /* plain text before the title: a value like "张三&李四" is no markup */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), value);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (button != NULL)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static GtkWidget *
conflict_group (ProcuraConflictsWindow *self,
                ProcuraStore           *store,
                const ProcuraConflict  *c)
{
  ProcuraSyncAgent *agent = procura_application_get_sync_agent (self->application);
  const char *me = agent != NULL && procura_sync_agent_get_username (agent) != NULL
                   ? procura_sync_agent_get_username (agent)
                   : store != NULL ? procura_store_get_actor (store) : g_get_user_name ();
  const char *them = c->server_by != NULL ? c->server_by : _("the server");
  const ProcuraEntityInfo *entity = procura_schema_lookup (c->entity);
  const ProcuraFieldInfo *field = entity != NULL && c->field != NULL
                                  ? procura_entity_lookup_field (entity, c->field) : NULL;
  g_autofree char *title = record_title (store, entity, c);
  g_autofree char *when = procura_timestamp_format_display (c->at);
  g_autofree char *yours = value_display (field, c->local_value);
  g_autofree char *theirs = value_display (field, c->server_value);
  g_autofree char *description = NULL;
  g_autofree char *your_subtitle = NULL;
  g_autofree char *their_subtitle = NULL;
  const char *field_label = field != NULL ? procura_field_get_label (field)
                            : c->field != NULL ? c->field : _("New record");
  GtkWidget *group = adw_preferences_group_new ();

  /* a group's title and description are Pango markup: record titles,
   * names and the server's reason are plain text ("张三&李四") */
  {
    g_autofree char *escaped = g_markup_escape_text (title, -1);

    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), escaped);
  }

  if (g_strcmp0 (c->kind, "rejected") == 0)
    {
      /* Translators: a change the server refused: the field, when, and the server's reason */
      description = g_strdup_printf (_("%s — the server refused your change (%s): %s"),
                                     field_label, when,
                                     c->reason != NULL ? g_dgettext (GETTEXT_PACKAGE, c->reason) : c->error != NULL ? c->error : "?");
      /* Translators: who made a value, e.g. "Yours (alice)" */
      /* sending again what this account may not change would only be
       * refused again */
      gboolean may_restore = g_strcmp0 (c->error, "forbidden") != 0;

      your_subtitle = g_strdup_printf (_("Yours (%s)"), me);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row (yours, your_subtitle,
                                            may_restore ? choice_button (_("_Restore Mine"), c->id, TRUE, FALSE) : NULL));
      if (c->server_value != NULL)
        {
          their_subtitle = c->server_by != NULL ? g_strdup_printf (_("On the server (%s)"), c->server_by)
                                                : g_strdup (_("On the server"));
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                     value_row (theirs, their_subtitle, choice_button (_("_Discard Mine"), c->id, FALSE, TRUE)));
        }
      else
        adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group),
                                                 choice_button (_("_Discard Mine"), c->id, FALSE, FALSE));
    }
  else
    {
      gboolean mine_kept = g_strcmp0 (c->kept, "yours") == 0;

      /* Translators: a conflict: the field, when, and whose value the record holds now */
      description = g_strdup_printf (mine_kept ? _("%s — changed here and by %s (%s); the record holds yours")
                                               : _("%s — changed here and by %s (%s); the record holds theirs"),
                                     field_label, them, when);
      /* Translators: whose value; the record holds it now */
      your_subtitle = g_strdup_printf (mine_kept ? _("Yours (%s), in the record now") : _("Yours (%s)"), me);
      their_subtitle = g_strdup_printf (mine_kept ? _("Theirs (%s)") : _("Theirs (%s), in the record now"), them);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row (yours, your_subtitle, choice_button (_("Keep _Mine"), c->id, TRUE, FALSE)));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 value_row (theirs, their_subtitle, choice_button (_("Keep _Theirs"), c->id, FALSE, FALSE)));
    }
  {
    g_autofree char *escaped = g_markup_escape_text (description, -1);

    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), escaped);
  }

  return group;
}

void
procura_conflicts_window_reload (ProcuraConflictsWindow *self)
{
  g_autoptr(GError) error = NULL;
  ProcuraStore *store;

  g_return_if_fail (PROCURA_IS_CONFLICTS_WINDOW (self));

  for (guint i = 0; i < self->groups->len; i++)
    gtk_box_remove (self->list_box, g_ptr_array_index (self->groups, i));
  g_ptr_array_set_size (self->groups, 0);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);

  store = procura_application_get_store (self->application, &error);
  if (store != NULL)
    self->conflicts = procura_store_sync_list_conflicts (store, FALSE, &error);
  if (self->conflicts == NULL)
    {
      add_error_toast (self, error);
      self->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_conflict_free);
    }

  for (guint i = 0; i < self->conflicts->len; i++)
    {
      GtkWidget *group = conflict_group (self, store, g_ptr_array_index (self->conflicts, i));

      g_object_set_data (G_OBJECT (group), "conflict-id",
                         GINT_TO_POINTER ((int) ((const ProcuraConflict *) g_ptr_array_index (self->conflicts, i))->id));
      gtk_box_append (self->list_box, group);
      g_ptr_array_add (self->groups, group);
    }

  gtk_stack_set_visible_child_name (self->stack, self->conflicts->len > 0 ? "list" : "empty");
}

static void
keep_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ProcuraConflictsWindow *self = PROCURA_CONFLICTS_WINDOW (widget);
  ProcuraSyncAgent *agent = procura_application_get_sync_agent (self->application);
  g_autoptr(GError) error = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  ProcuraStore *store;
  gint64 id;
  gboolean keep_mine;

  g_variant_get (parameter, "(xb)", &id, &keep_mine);

  store = procura_application_get_store (self->application, &error);
  if (store == NULL || !procura_store_sync_resolve_conflict (store, id, keep_mine, &error))
    {
      add_error_toast (self, error);
      return;
    }

  procura_conflicts_window_reload (self);
  if (agent != NULL)
    {
      procura_sync_agent_refresh_counts (agent);
      /* your value goes to the server now, not in a minute */
      procura_sync_agent_sync_now (agent);
    }
  /* the record may hold the other value now */
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.reload", NULL);
}

GPtrArray *
procura_conflicts_window_get_conflicts (ProcuraConflictsWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_CONFLICTS_WINDOW (self), NULL);

  return self->conflicts;
}

GtkWidget *
procura_conflicts_window_get_group (ProcuraConflictsWindow *self,
                                    gint64                  id)
{
  g_return_val_if_fail (PROCURA_IS_CONFLICTS_WINDOW (self), NULL);

  for (guint i = 0; i < self->groups->len; i++)
    if (GPOINTER_TO_INT (g_object_get_data (g_ptr_array_index (self->groups, i), "conflict-id")) == (int) id)
      return g_ptr_array_index (self->groups, i);

  return NULL;
}

static void
procura_conflicts_window_dispose (GObject *object)
{
  ProcuraConflictsWindow *self = (ProcuraConflictsWindow *)object;

  g_clear_object (&self->application);
  g_clear_pointer (&self->conflicts, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_CONFLICTS_WINDOW);

  G_OBJECT_CLASS (procura_conflicts_window_parent_class)->dispose (object);
}

static void
procura_conflicts_window_class_init (ProcuraConflictsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_conflicts_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-conflicts-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraConflictsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ProcuraConflictsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraConflictsWindow, list_box);

  gtk_widget_class_install_action (widget_class, "conflicts.keep", "(xb)", keep_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
procura_conflicts_window_init (ProcuraConflictsWindow *self)
{
  self->groups = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
agent_changed_cb (ProcuraConflictsWindow *self)
{
  ProcuraSyncAgent *agent = procura_application_get_sync_agent (self->application);

  /* a run may have brought new conflicts or settled old ones */
  if (agent != NULL && self->conflicts != NULL &&
      procura_sync_agent_get_n_conflicts (agent) != self->conflicts->len)
    procura_conflicts_window_reload (self);
}

GtkWidget *
procura_conflicts_window_new (ProcuraApplication *application,
                              GtkWindow          *parent)
{
  ProcuraConflictsWindow *self;
  ProcuraSyncAgent *agent;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (application), NULL);

  self = g_object_new (PROCURA_TYPE_CONFLICTS_WINDOW,
                       "transient-for", parent,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);
  if ((agent = procura_application_get_sync_agent (application)))
    g_signal_connect_object (agent, "notify::n-conflicts", G_CALLBACK (agent_changed_cb),
                             self, G_CONNECT_SWAPPED);
  procura_conflicts_window_reload (self);

  return GTK_WIDGET (self);
}
