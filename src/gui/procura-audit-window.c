/* procura-audit-window.c — the server's audit log and its verification
 *
 * The log is fetched and verified off the main thread (procura-audit.c);
 * the window only turns the entries into rows. Verification is the same
 * code `procura-server audit verify` runs, over the entries in the order
 * the server keeps them, so both name the same damage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "procura-account.h"
#include "procura-application.h"
#include "procura-audit-window.h"
#include "procura-date.h"
#include "procura-permissions.h"
#include "procura-schema.h"
#include "procura-sync-agent.h"
#include "procura-sync.h"

/* ---- ProcuraAuditLogItem ------------------------------------------------ */

struct _ProcuraAuditLogItem
{
  GObject  parent_instance;

  gint64   seq;
  char    *at;
  char    *time_text;
  char    *actor;
  char    *action;
  char    *action_text;
  char    *record_text;
  char    *status;
  char    *status_text;
  char    *detail;
  char    *detail_text;  /* the detail in words, as the column shows it */
};

G_DEFINE_FINAL_TYPE (ProcuraAuditLogItem, procura_audit_log_item, G_TYPE_OBJECT)

static void
procura_audit_log_item_finalize (GObject *object)
{
  ProcuraAuditLogItem *self = (ProcuraAuditLogItem *) object;

  g_free (self->at);
  g_free (self->time_text);
  g_free (self->actor);
  g_free (self->action);
  g_free (self->action_text);
  g_free (self->record_text);
  g_free (self->status);
  g_free (self->status_text);
  g_free (self->detail);
  g_free (self->detail_text);

  G_OBJECT_CLASS (procura_audit_log_item_parent_class)->finalize (object);
}

static void
procura_audit_log_item_class_init (ProcuraAuditLogItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = procura_audit_log_item_finalize;
}

static void
procura_audit_log_item_init (ProcuraAuditLogItem *self)
{
}

#define ITEM_GETTER(type, name, default_value)                             \
  type                                                                     \
  procura_audit_log_item_get_##name (ProcuraAuditLogItem *self)            \
  {                                                                        \
    g_return_val_if_fail (PROCURA_IS_AUDIT_LOG_ITEM (self), default_value); \
    return self->name;                                                     \
  }

ITEM_GETTER (gint64, seq, 0)
ITEM_GETTER (const char *, at, NULL)
ITEM_GETTER (const char *, time_text, NULL)
ITEM_GETTER (const char *, actor, NULL)
ITEM_GETTER (const char *, action, NULL)
ITEM_GETTER (const char *, record_text, NULL)
ITEM_GETTER (const char *, status, NULL)
ITEM_GETTER (const char *, detail, NULL)

#undef ITEM_GETTER

/* The log's codes as people read them; unknown codes are shown as they
 * are (a newer server may add some). */
static const struct
{
  const char *code;
  const char *label;
} action_labels[] = {
  { "insert", NC_("audit action", "Create") },
  { "update", NC_("audit action", "Change") },
  { "delete", NC_("audit action", "Delete") },
  { "resolve", NC_("audit action", "Resolve conflict") },
  { "login", NC_("audit action", "Log in") },
  { "logout", NC_("audit action", "Log out") },
  { "denied", NC_("audit action", "Refused request") },
  { "blob_upload", NC_("audit action", "File upload") },
  { "user_add", NC_("audit action", "Add account") },
  { "user_disable", NC_("audit action", "Disable account") },
  { "user_enable", NC_("audit action", "Enable account") },
  { "user_passwd", NC_("audit action", "Change password") },
  { "user_revoke-tokens", NC_("audit action", "Revoke sessions") },
}, status_labels[] = {
  { "applied", NC_("audit result", "Applied") },
  { "merged", NC_("audit result", "Merged") },
  { "conflict", NC_("audit result", "Conflict kept") },
  { "rejected", NC_("audit result", "Refused") },
  { "ok", NC_("audit result", "OK") },
  { "failed", NC_("audit result", "Failed") },
  { "throttled", NC_("audit result", "Too many attempts") },
  { "hash_mismatch", NC_("audit result", "Checksum mismatch") },
};

static char *
action_label (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (action_labels); i++)
    if (strcmp (action_labels[i].code, code) == 0)
      return g_strdup (g_dpgettext2 (NULL, "audit action", action_labels[i].label));

  return g_strdup (code);
}

static char *
status_label (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (status_labels); i++)
    if (strcmp (status_labels[i].code, code) == 0)
      return g_strdup (g_dpgettext2 (NULL, "audit result", status_labels[i].label));

  return g_strdup (code);
}

/* The server writes details for the chain, in one fixed form
 * ("fields: a b; rev 7", "error: reason"); the column says them in the
 * reader's language. What it does not recognise it shows as written. */
static char *
detail_text (const ProcuraEntityInfo *info,
             const char              *status,
             const char              *detail)
{
  if (detail == NULL)
    return NULL;

  if (g_str_has_prefix (detail, "fields:"))
    {
      const char *rev = g_strrstr (detail, "; rev ");
      g_autofree char *names = g_strndup (detail + strlen ("fields:"),
                                          rev != NULL ? (gsize) (rev - detail) - strlen ("fields:") : strlen (detail));
      g_auto(GStrv) parts = g_strsplit (g_strstrip (names), " ", -1);
      g_autoptr(GString) labels = g_string_new (NULL);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          const ProcuraFieldInfo *field = info != NULL ? procura_entity_lookup_field (info, parts[i]) : NULL;

          if (*parts[i] == '\0')
            continue;
          if (labels->len > 0)
            /* Translators: between the names of a list of fields */
            g_string_append (labels, C_("list separator", ", "));
          g_string_append (labels, field != NULL ? procura_field_get_label (field) : parts[i]);
        }

      if (rev != NULL)
        /* Translators: an audit entry's detail: the fields a change wrote
         * and the revision the record got */
        return g_strdup_printf (_("Fields: %s; revision %s"), labels->str, rev + strlen ("; rev "));
      return g_strdup_printf (_("Fields: %s"), labels->str);
    }

  /* a file received: "size 1234" */
  if (g_str_has_prefix (detail, "size ") && g_ascii_isdigit (detail[strlen ("size ")]))
    /* Translators: an audit entry's detail: the size of a file received */
    return g_strdup_printf (_("Size: %s bytes"), detail + strlen ("size "));

  /* a refusal: "code: reason", the reason a message the server marked
   * for translation */
  if (g_strcmp0 (status, "rejected") == 0 && strstr (detail, ": ") != NULL)
    return g_strdup (_(strstr (detail, ": ") + 2));

  return g_strdup (detail);
}

static ProcuraAuditLogItem *
log_item_new (const ProcuraAuditItem *entry)
{
  ProcuraAuditLogItem *self = g_object_new (PROCURA_TYPE_AUDIT_LOG_ITEM, NULL);

  self->seq = entry->seq;
  self->at = g_strdup (entry->at);
  self->time_text = procura_timestamp_format_display (entry->at);
  self->actor = g_strdup (entry->actor);
  self->action = g_strdup (entry->action);
  self->action_text = action_label (entry->action);
  self->status = g_strdup (entry->status);
  self->status_text = status_label (entry->status);
  self->detail = g_strdup (entry->detail);
  self->detail_text = detail_text (entry->entity != NULL ? procura_schema_lookup (entry->entity) : NULL,
                                   entry->status, entry->detail);

  if (entry->entity != NULL || entry->id != NULL)
    {
      const ProcuraEntityInfo *info = entry->entity != NULL ? procura_schema_lookup (entry->entity) : NULL;
      const char *what = info != NULL ? procura_entity_get_label (info) : entry->entity;

      /* the log's own kinds of record: accounts (by name), files (by
       * digest) */
      if (g_strcmp0 (entry->entity, "account") == 0)
        what = C_("audit record", "Account");
      else if (g_strcmp0 (entry->entity, "blob") == 0)
        what = C_("audit record", "File");

      /* ids are UUIDs and digests: their start tells them apart */
      if (entry->id != NULL && info != NULL && strlen (entry->id) > 13)
        self->record_text = g_strdup_printf ("%s · %.13s…", what, entry->id);
      else if (entry->id != NULL && what != NULL)
        self->record_text = g_strdup_printf ("%s · %s", what, entry->id);
      else
        self->record_text = g_strdup (what != NULL ? what : entry->id);
    }

  return self;
}

/* ---- ProcuraAuditWindow ---------------------------------------------------- */

/* A log of ten years has millions of entries; all are verified, the
 * latest are shown. */
#define MAX_SHOWN 100000

typedef enum
{
  COLUMN_SEQ,
  COLUMN_TIME,
  COLUMN_ACTOR,
  COLUMN_ACTION,
  COLUMN_RECORD,
  COLUMN_RESULT,
  COLUMN_DETAIL,
} Column;

struct _ProcuraAuditWindow
{
  AdwWindow            parent_instance;

  char                *data_dir;
  GCancellable        *cancellable;
  gboolean             loading;
  char                *state;
  char                *message;
  gboolean             have_report;
  ProcuraAuditReport   report;
  gint64               n_read;       /* entries in the log; the latest MAX_SHOWN are shown */

  GListStore          *entries;      /* ProcuraAuditLogItem, in log order */
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkNoSelection      *selection;
  char                *filter_actor;
  char                *filter_action;
  GPtrArray           *actor_keys;   /* parallel to the person dropdown's items */
  GPtrArray           *action_keys;  /* parallel to the action dropdown's items */
  guint                updating_filters : 1;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *loading_page;
  AdwStatusPage       *error_page;
  GtkInfoBar          *verdict_bar;
  GtkImage            *verdict_icon;
  GtkLabel            *verdict_label;
  GtkLabel            *verdict_detail_label;
  GtkDropDown         *actor_dropdown;
  GtkDropDown         *action_dropdown;
  GtkLabel            *count_label;
  GtkColumnView       *column_view;
};

G_DEFINE_FINAL_TYPE (ProcuraAuditWindow, procura_audit_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
set_loading (ProcuraAuditWindow *self,
             gboolean            loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "audit.reload", !loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

static void
show_state (ProcuraAuditWindow *self,
            const char         *state,
            const char         *message)
{
  g_free (self->state);
  self->state = g_strdup (state);
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_stack_set_visible_child_name (self->stack, state);
}

/* ---- filters ------------------------------------------------------------ */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ProcuraAuditWindow *self = user_data;
  ProcuraAuditLogItem *entry = item;

  if (self->filter_actor != NULL && g_strcmp0 (entry->actor, self->filter_actor) != 0)
    return FALSE;
  if (self->filter_action != NULL && g_strcmp0 (entry->action, self->filter_action) != 0)
    return FALSE;

  return TRUE;
}

static void
update_count (ProcuraAuditWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  g_autofree char *text = NULL;

  if (self->n_read > total)
    {
      g_autofree char *all = g_strdup_printf ("%" G_GINT64_FORMAT, self->n_read);

      /* Translators: entries shown (the latest, filtered), of those kept,
       * of all in the log; the last %s is a number */
      text = g_strdup_printf (_("%u of the latest %u entries (%s in the log)"), shown, total, all);
    }
  else if (shown == total)
    /* Translators: the number of audit log entries */
    text = g_strdup_printf (ngettext ("%u entry", "%u entries", total), total);
  else
    /* Translators: entries shown by the filters, of all entries */
    text = g_strdup_printf (ngettext ("%u of %u entry", "%u of %u entries", total), shown, total);
  gtk_label_set_text (self->count_label, text);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_utf8_collate (*(const char * const *) a, *(const char * const *) b);
}

/* A dropdown of "all" and every distinct value, with keys parallel to its
 * items; labels may differ from the keys (actions). */
static void
fill_dropdown (ProcuraAuditWindow *self,
               GtkDropDown        *dropdown,
               GPtrArray          *keys,
               const char         *all_label,
               gboolean            actions,
               const char         *current)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  guint selected = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ProcuraAuditLogItem) item = g_list_model_get_item (G_LIST_MODEL (self->entries), i);
      const char *value = actions ? item->action : item->actor;

      if (value != NULL && g_hash_table_add (seen, (gpointer) value))
        g_ptr_array_add (values, (gpointer) value);
    }
  g_ptr_array_sort (values, compare_strings);

  g_ptr_array_set_size (keys, 0);
  g_ptr_array_add (keys, NULL);
  gtk_string_list_append (labels, all_label);
  for (guint i = 0; i < values->len; i++)
    {
      const char *value = g_ptr_array_index (values, i);
      g_autofree char *label = actions ? action_label (value) : g_strdup (value);

      g_ptr_array_add (keys, g_strdup (value));
      gtk_string_list_append (labels, label);
      if (g_strcmp0 (value, current) == 0)
        selected = i + 1;
    }

  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (dropdown, selected);
}

static void
set_filter (ProcuraAuditWindow *self,
            const char         *actor,
            const char         *action)
{
  g_free (self->filter_actor);
  self->filter_actor = actor != NULL && actor[0] != '\0' ? g_strdup (actor) : NULL;
  g_free (self->filter_action);
  self->filter_action = action != NULL && action[0] != '\0' ? g_strdup (action) : NULL;

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);

  self->updating_filters = TRUE;
  fill_dropdown (self, self->actor_dropdown, self->actor_keys, _("All People"), FALSE, self->filter_actor);
  fill_dropdown (self, self->action_dropdown, self->action_keys, _("All Actions"), TRUE, self->filter_action);
  self->updating_filters = FALSE;
}

static void
dropdown_changed_cb (ProcuraAuditWindow *self)
{
  guint actor = gtk_drop_down_get_selected (self->actor_dropdown);
  guint action = gtk_drop_down_get_selected (self->action_dropdown);

  if (self->updating_filters)
    return;

  set_filter (self,
              actor < self->actor_keys->len ? g_ptr_array_index (self->actor_keys, actor) : NULL,
              action < self->action_keys->len ? g_ptr_array_index (self->action_keys, action) : NULL);
}

/* ---- loading --------------------------------------------------------------- */

static void
show_verdict (ProcuraAuditWindow *self)
{
  g_autofree char *text = procura_audit_report_describe (&self->report);
  g_autofree char *detail = NULL;
  gboolean intact = self->report.problem == PROCURA_AUDIT_OK;

  if (intact)
    detail = g_strdup (_("Every entry’s hash matches its content and the entry before it."));
  else
    {
      g_autofree char *position = g_strdup_printf ("%" G_GINT64_FORMAT, self->report.position);
      g_autofree char *before = g_strdup_printf ("%" G_GINT64_FORMAT, self->report.n_entries);

      /* Translators: where the damage is in the log and how much before
       * it is sound; both %s are numbers */
      detail = g_strdup_printf (_("Found at place %s in the log; the %s entries before it are intact. "
                                  "The server’s administrator should restore the log from a backup "
                                  "and find out who changed it."), position, before);
    }

  gtk_info_bar_set_message_type (self->verdict_bar, intact ? GTK_MESSAGE_INFO : GTK_MESSAGE_ERROR);
  gtk_image_set_from_icon_name (self->verdict_icon, intact ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_label_set_text (self->verdict_label, text);
  gtk_label_set_text (self->verdict_detail_label, detail);
  show_state (self, "log", text);
}

/* What the reader came for: the entry the verification names, else the
 * latest ones, which are at the end of a list of up to 100,000. (GTK 4.8
 * has no gtk_column_view_scroll_to(); its list view has the action.) */
static gboolean
scroll_to_news_tick (GtkWidget     *column_view,
                     GdkFrameClock *frame_clock,
                     gpointer       user_data)
{
  guint position = GPOINTER_TO_UINT (user_data);

  /* the list scrolls right only once it has its size */
  if (!gtk_widget_get_mapped (column_view) || gtk_widget_get_height (column_view) <= 0)
    return G_SOURCE_CONTINUE;

  for (GtkWidget *child = gtk_widget_get_first_child (column_view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);

  return G_SOURCE_REMOVE;
}

static void
scroll_to_news (ProcuraAuditWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->filtered);
  guint n = g_list_model_get_n_items (model);
  guint position = n > 0 ? n - 1 : 0;

  if (n == 0)
    return;

  if (self->have_report && self->report.problem != PROCURA_AUDIT_OK)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr(ProcuraAuditLogItem) item = g_list_model_get_item (model, i);

        if (item->seq == self->report.bad_seq)
          {
            position = i;
            break;
          }
      }

  gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view), scroll_to_news_tick,
                                GUINT_TO_POINTER (position), NULL);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ProcuraAuditWindow) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  ProcuraAuditReport report;
  gint64 n_read = 0;

  items = procura_audit_fetch_finish (result, &report, &n_read, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->entries == NULL)
    return;

  set_loading (self, FALSE);

  if (items == NULL)
    {
      g_list_store_remove_all (self->entries);
      if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN))
        show_state (self, "no-account", NULL);
      else if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_FORBIDDEN))
        show_state (self, "forbidden", error->message);
      else
        {
          g_autofree char *escaped = g_markup_escape_text (error->message, -1);

          /* the description is markup; the message is plain text */
          adw_status_page_set_description (ADW_STATUS_PAGE (self->error_page), escaped);
          show_state (self, "error", error->message);
        }
      return;
    }

  /* the report first: binding the rows marks the entry it names */
  self->report = report;
  self->have_report = TRUE;
  self->n_read = n_read;

  rows = g_ptr_array_new_full (items->len, g_object_unref);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (rows, log_item_new (g_ptr_array_index (items, i)));
  g_list_store_splice (self->entries, 0, g_list_model_get_n_items (G_LIST_MODEL (self->entries)),
                       rows->pdata, rows->len);
  set_filter (self, self->filter_actor, self->filter_action);
  show_verdict (self);
  scroll_to_news (self);
}

static void
progress_cb (gint64   n_read,
             gpointer target)
{
  ProcuraAuditWindow *self = target;
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, n_read);
  g_autofree char *text = NULL;

  if (self->entries == NULL)
    return;

  /* Translators: while fetching the audit log; %s is a number */
  text = g_strdup_printf (_("%s entries read and checked so far."), count);
  adw_status_page_set_description (self->loading_page, text);
}

static const char *
window_role (void)
{
  GApplication *app = g_application_get_default ();

  return PROCURA_IS_APPLICATION (app) ? procura_application_get_role (PROCURA_APPLICATION (app)) : NULL;
}

void
procura_audit_window_reload (ProcuraAuditWindow *self)
{
  g_autoptr(ProcuraAccount) account = NULL;

  g_return_if_fail (PROCURA_IS_AUDIT_WINDOW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->have_report = FALSE;

  /* the agent knows the server; loading the account here would look the
   * token up in the keyring on the main thread only to name the server */
  {
    GApplication *app = g_application_get_default ();
    ProcuraSyncAgent *agent = PROCURA_IS_APPLICATION (app)
                              ? procura_application_get_sync_agent (PROCURA_APPLICATION (app)) : NULL;

    if (agent != NULL)
      adw_window_title_set_subtitle (self->window_title, procura_sync_agent_get_server (agent));
    else if ((account = procura_account_load (self->data_dir, NULL)) != NULL && account->server != NULL)
      adw_window_title_set_subtitle (self->window_title, account->server);
    else
      adw_window_title_set_subtitle (self->window_title, NULL);
  }

  /* the server would refuse an agency (403); say so without asking */
  if (!procura_permissions_may_see_audit_log (window_role ()))
    {
      set_loading (self, FALSE);
      show_state (self, "forbidden", NULL);
      return;
    }

  self->cancellable = g_cancellable_new ();
  adw_status_page_set_description (self->loading_page,
                                   _("Every entry is read from the server and its hash chain checked."));
  show_state (self, "loading", NULL);
  g_clear_pointer (&self->message, g_free);
  set_loading (self, TRUE);
  procura_audit_fetch_async (self->data_dir, MAX_SHOWN, progress_cb, G_OBJECT (self),
                             self->cancellable, fetch_done_cb, g_object_ref (self));
}

/* ---- columns ------------------------------------------------------------ */

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_inscription_new (NULL));

  gtk_inscription_set_text_overflow (inscription, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (inscription, 4);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), TRUE);
  if (column == COLUMN_SEQ || column == COLUMN_TIME)
    gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");
  if (column == COLUMN_SEQ)
    {
      gtk_inscription_set_xalign (inscription, 1.0f);
      gtk_widget_add_css_class (GTK_WIDGET (inscription), "dim-label");
    }
  gtk_list_item_set_child (list_item, GTK_WIDGET (inscription));
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  ProcuraAuditWindow *self = user_data;
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  ProcuraAuditLogItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  g_autofree char *seq = NULL;
  const char *text = NULL;

  switch (column)
    {
    case COLUMN_SEQ:
      text = seq = g_strdup_printf ("%" G_GINT64_FORMAT, item->seq);
      break;
    case COLUMN_TIME:
      text = item->time_text;
      break;
    case COLUMN_ACTOR:
      text = item->actor;
      break;
    case COLUMN_ACTION:
      text = item->action_text;
      break;
    case COLUMN_RECORD:
      text = item->record_text;
      break;
    case COLUMN_RESULT:
      text = item->status_text;
      break;
    case COLUMN_DETAIL:
      text = item->detail_text;
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_inscription_set_text (GTK_INSCRIPTION (child), text);
  gtk_widget_set_tooltip_text (child, text != NULL && g_utf8_strlen (text, -1) > 12 ? text : NULL);

  /* the entry the verification names stands out */
  if (self->have_report && self->report.problem != PROCURA_AUDIT_OK && item->seq == self->report.bad_seq)
    gtk_widget_add_css_class (child, "error");
  else
    gtk_widget_remove_css_class (child, "error");
}

static void
add_column (ProcuraAuditWindow *self,
            Column              column,
            const char         *title,
            int                 fixed_width,
            gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

/* ---- actions -------------------------------------------------------------- */

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  procura_audit_window_reload (PROCURA_AUDIT_WINDOW (widget));
}

static void
filter_actor_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ProcuraAuditWindow *self = PROCURA_AUDIT_WINDOW (widget);
  g_autofree char *action = g_strdup (self->filter_action);

  set_filter (self, g_variant_get_string (param, NULL), action);
}

static void
filter_action_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ProcuraAuditWindow *self = PROCURA_AUDIT_WINDOW (widget);
  g_autofree char *actor = g_strdup (self->filter_actor);

  set_filter (self, actor, g_variant_get_string (param, NULL));
}

/* ---- GObject ------------------------------------------------------------ */

static void
procura_audit_window_constructed (GObject *object)
{
  ProcuraAuditWindow *self = PROCURA_AUDIT_WINDOW (object);

  G_OBJECT_CLASS (procura_audit_window_parent_class)->constructed (object);

  procura_audit_window_reload (self);
}

static void
procura_audit_window_dispose (GObject *object)
{
  ProcuraAuditWindow *self = (ProcuraAuditWindow *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_AUDIT_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->entries);

  G_OBJECT_CLASS (procura_audit_window_parent_class)->dispose (object);
}

static void
procura_audit_window_finalize (GObject *object)
{
  ProcuraAuditWindow *self = (ProcuraAuditWindow *) object;

  g_free (self->data_dir);
  g_free (self->state);
  g_free (self->message);
  g_free (self->filter_actor);
  g_free (self->filter_action);
  g_clear_pointer (&self->actor_keys, g_ptr_array_unref);
  g_clear_pointer (&self->action_keys, g_ptr_array_unref);

  G_OBJECT_CLASS (procura_audit_window_parent_class)->finalize (object);
}

static void
procura_audit_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ProcuraAuditWindow *self = PROCURA_AUDIT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_audit_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ProcuraAuditWindow *self = PROCURA_AUDIT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_audit_window_class_init (ProcuraAuditWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = procura_audit_window_constructed;
  object_class->dispose = procura_audit_window_dispose;
  object_class->finalize = procura_audit_window_finalize;
  object_class->get_property = procura_audit_window_get_property;
  object_class->set_property = procura_audit_window_set_property;

  /**
   * ProcuraAuditWindow:data-dir:
   *
   * The data directory whose account.json names the server and holds
   * the session token.
   */
  properties [PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraAuditWindow:loading:
   *
   * Whether the log is being fetched and verified.
   */
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-audit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, verdict_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, verdict_icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, verdict_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, actor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, action_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAuditWindow, column_view);

  gtk_widget_class_install_action (widget_class, "audit.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "audit.filter-actor", "s", filter_actor_action);
  gtk_widget_class_install_action (widget_class, "audit.filter-action", "s", filter_action_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "audit.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "audit.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
procura_audit_window_init (ProcuraAuditWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->actor_keys = g_ptr_array_new_with_free_func (g_free);
  self->action_keys = g_ptr_array_new_with_free_func (g_free);

  self->entries = g_list_store_new (PROCURA_TYPE_AUDIT_LOG_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->entries)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  /* Translators: column of the audit log: the entry's number */
  add_column (self, COLUMN_SEQ, C_("audit column", "No."), 70, FALSE);
  add_column (self, COLUMN_TIME, C_("audit column", "Time"), 150, FALSE);
  add_column (self, COLUMN_ACTOR, C_("audit column", "Person"), 110, FALSE);
  add_column (self, COLUMN_ACTION, C_("audit column", "Action"), 110, FALSE);
  add_column (self, COLUMN_RECORD, C_("audit column", "Record"), 190, FALSE);
  add_column (self, COLUMN_RESULT, C_("audit column", "Result"), 100, FALSE);
  add_column (self, COLUMN_DETAIL, C_("audit column", "Detail"), -1, TRUE);

  g_signal_connect_object (self->actor_dropdown, "notify::selected",
                           G_CALLBACK (dropdown_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->action_dropdown, "notify::selected",
                           G_CALLBACK (dropdown_changed_cb), self, G_CONNECT_SWAPPED);

  set_filter (self, NULL, NULL);
}

/* ---- public API -------------------------------------------------------- */

ProcuraAuditWindow *
procura_audit_window_new (GtkWindow  *parent,
                          const char *data_dir)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (data_dir != NULL, NULL);

  return g_object_new (PROCURA_TYPE_AUDIT_WINDOW,
                       "transient-for", parent,
                       "application", parent != NULL ? gtk_window_get_application (parent) : NULL,
                       "data-dir", data_dir,
                       NULL);
}

gboolean
procura_audit_window_get_loading (ProcuraAuditWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_AUDIT_WINDOW (self), FALSE);

  return self->loading;
}

const char *
procura_audit_window_get_state (ProcuraAuditWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_AUDIT_WINDOW (self), NULL);

  return self->state;
}

const char *
procura_audit_window_get_message (ProcuraAuditWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_AUDIT_WINDOW (self), NULL);

  return self->message;
}

gboolean
procura_audit_window_get_report (ProcuraAuditWindow *self,
                                 ProcuraAuditReport *report)
{
  g_return_val_if_fail (PROCURA_IS_AUDIT_WINDOW (self), FALSE);

  if (self->have_report && report != NULL)
    *report = self->report;

  return self->have_report;
}

GListModel *
procura_audit_window_get_model (ProcuraAuditWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_AUDIT_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

gboolean
procura_audit_window_is_available (const char *role)
{
  return procura_permissions_may_see_audit_log (role);
}
