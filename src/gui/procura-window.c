/* procura-window.c
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-window"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "procura-cells.h"
#include "procura-dashboard.h"
#include "procura-date.h"
#include "procura-export-dialog.h"
#include "procura-import-dialog.h"
#include "procura-money.h"
#include "procura-organizations-page.h"
#include "procura-permissions.h"
#include "procura-print.h"
#include "procura-project-page.h"
#include "procura-project-row.h"
#include "procura-query.h"
#include "procura-record-editor.h"
#include "procura-schema.h"
#include "procura-sync-button.h"
#include "procura-window.h"

/* The ledger pipeline:
 *
 *   ledger (ProcuraLedgerModel: the rows in the store's order, sorted as
 *           the column titles say, filtered by the filter bar and the
 *           instant search; what procura_window_get_ledger_model() gives)
 *     → slots (ProcuraLedgerSlots: one object per position, see below)
 *     → selection → column_view
 *
 * Sorting comes before filtering so that typing a search or choosing a
 * filter only re-filters rows that are already sorted. Each column sorts
 * with a GtkCustomSorter over plain fields or collation keys made once
 * per row (procura-project-row.c), so a header click on 20,000 rows stays
 * quick.
 *
 * The ledger loads in a worker thread with a store of its own (a second
 * connection to the same database), so that the window shows at once;
 * procura_window_reload() loads in the calling thread instead.
 */

/* ---- the ledger model ------------------------------------------------------
 *
 * The projects sorted and filtered, as one GListModel over plain arrays:
 * what the column view asks for (get_item) costs nothing, a sort is one
 * g_ptr_array_sort() and a filter change one pass, announced as a single
 * items-changed over the range that changed.
 */

typedef gboolean (*LedgerMatchFunc) (ProcuraProjectRow *row,
                                     gpointer           user_data);

#define PROCURA_TYPE_LEDGER_MODEL (procura_ledger_model_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraLedgerModel, procura_ledger_model, PROCURA, LEDGER_MODEL, GObject)

struct _ProcuraLedgerModel
{
  GObject          parent_instance;

  GPtrArray       *base;     /* every row, in the store's order; owns them */
  GPtrArray       *sorted;   /* base in the sort order (borrowed) */
  GPtrArray       *shown;    /* sorted, filtered (borrowed) */
  GtkSorter       *sorter;      /* used when use_sorter is set */
  gboolean         use_sorter;
  GCompareDataFunc compare;     /* else this, or the store's order */
  gboolean         descending;
  LedgerMatchFunc  match;
  gpointer         match_data;
};

static GType
procura_ledger_model_get_item_type (GListModel *model)
{
  return PROCURA_TYPE_PROJECT_ROW;
}

static guint
procura_ledger_model_get_n_items (GListModel *model)
{
  return PROCURA_LEDGER_MODEL (model)->shown->len;
}

static gpointer
procura_ledger_model_get_item (GListModel *model,
                               guint       position)
{
  ProcuraLedgerModel *self = PROCURA_LEDGER_MODEL (model);

  if (position >= self->shown->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->shown, position));
}

static void
procura_ledger_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = procura_ledger_model_get_item_type;
  iface->get_n_items = procura_ledger_model_get_n_items;
  iface->get_item = procura_ledger_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ProcuraLedgerModel, procura_ledger_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, procura_ledger_model_iface_init))

static void
procura_ledger_model_finalize (GObject *object)
{
  ProcuraLedgerModel *self = (ProcuraLedgerModel *)object;

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->sorted, g_ptr_array_unref);
  g_clear_pointer (&self->base, g_ptr_array_unref);
  g_clear_object (&self->sorter);

  G_OBJECT_CLASS (procura_ledger_model_parent_class)->finalize (object);
}

static void
procura_ledger_model_class_init (ProcuraLedgerModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = procura_ledger_model_finalize;
}

static void
procura_ledger_model_init (ProcuraLedgerModel *self)
{
  self->base = g_ptr_array_new_with_free_func (g_object_unref);
  self->sorted = g_ptr_array_new ();
  self->shown = g_ptr_array_new ();
}

/* Replaces what is shown by shown, announcing only the range between the
 * unchanged start and end. */
static void
ledger_model_show (ProcuraLedgerModel *self,
                   GPtrArray          *shown)
{
  GPtrArray *old = self->shown;
  guint prefix = 0;
  guint suffix = 0;
  guint n_min = MIN (old->len, shown->len);

  while (prefix < n_min && old->pdata[prefix] == shown->pdata[prefix])
    prefix++;
  while (suffix < n_min - prefix &&
         old->pdata[old->len - 1 - suffix] == shown->pdata[shown->len - 1 - suffix])
    suffix++;

  self->shown = shown;

  if (old->len != prefix + suffix || shown->len != prefix + suffix)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix,
                                old->len - prefix - suffix,
                                shown->len - prefix - suffix);

  g_ptr_array_unref (old);
}

static gboolean
ledger_model_matches (ProcuraLedgerModel *self,
                      ProcuraProjectRow  *row)
{
  return self->match == NULL || self->match (row, self->match_data);
}

/* change: GTK_FILTER_CHANGE_MORE_STRICT looks only at the rows shown */
static void
ledger_model_refilter (ProcuraLedgerModel *self,
                       GtkFilterChange     change)
{
  GPtrArray *from = change == GTK_FILTER_CHANGE_MORE_STRICT ? self->shown : self->sorted;
  GPtrArray *shown = g_ptr_array_sized_new (from->len);

  for (guint i = 0; i < from->len; i++)
    {
      ProcuraProjectRow *row = g_ptr_array_index (from, i);

      if (ledger_model_matches (self, row))
        g_ptr_array_add (shown, row);
    }

  ledger_model_show (self, shown);
}

static int
ledger_model_compare (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  ProcuraLedgerModel *self = user_data;
  gconstpointer x = *(gpointer const *)a;
  gconstpointer y = *(gpointer const *)b;
  int result;

  if (self->compare == NULL)
    return gtk_sorter_compare (self->sorter, (gpointer) x, (gpointer) y);

  result = self->compare (x, y, NULL);

  return self->descending ? -result : result;
}

/* Sorts from the store's order, so that rows the sorter finds equal keep
 * the order of their numbers (the sort is stable). */
static void
ledger_model_resort (ProcuraLedgerModel *self)
{
  g_ptr_array_set_size (self->sorted, 0);
  for (guint i = 0; i < self->base->len; i++)
    g_ptr_array_add (self->sorted, g_ptr_array_index (self->base, i));

  if (self->compare != NULL || (self->use_sorter && self->sorter != NULL))
    g_ptr_array_sort_with_data (self->sorted, ledger_model_compare, self);

  ledger_model_refilter (self, GTK_FILTER_CHANGE_DIFFERENT);
}

static void
ledger_model_set_rows (ProcuraLedgerModel *self,
                       GPtrArray          *rows)
{
  g_ptr_array_set_size (self->base, 0);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (self->base, g_object_ref (g_ptr_array_index (rows, i)));

  ledger_model_resort (self);
}

static ProcuraLedgerModel *
ledger_model_new (GtkSorter       *sorter,
                  LedgerMatchFunc  match,
                  gpointer         match_data)
{
  ProcuraLedgerModel *self = g_object_new (PROCURA_TYPE_LEDGER_MODEL, NULL);

  self->sorter = g_object_ref (sorter);
  self->match = match;
  self->match_data = match_data;

  return self;
}

/* ---- the ledger's rows as the column view sees them ---------------------------
 *
 * GTK 4.8's list views never reuse a row's widgets for another item: a
 * filter change that brings other projects to the top of the ledger
 * destroyed every visible row, forty cells at a time, and built them
 * anew, 100 ms per keystroke on an ordinary machine. So the column view
 * is given slots, one per position, that keep their identity: a change
 * of the ledger moves projects between slots (the cells shown update in
 * place through ProcuraLedgerSlot::changed) and only a change of the
 * count adds or removes slots, at the end.
 */

#define PROCURA_TYPE_LEDGER_SLOT (procura_ledger_slot_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraLedgerSlot, procura_ledger_slot, PROCURA, LEDGER_SLOT, GObject)

struct _ProcuraLedgerSlot
{
  GObject            parent_instance;

  ProcuraProjectRow *row;
  guint              n_bound;  /* cells showing it */
};

G_DEFINE_FINAL_TYPE (ProcuraLedgerSlot, procura_ledger_slot, G_TYPE_OBJECT)

static guint slot_changed_signal;

static void
procura_ledger_slot_finalize (GObject *object)
{
  g_clear_object (&PROCURA_LEDGER_SLOT (object)->row);

  G_OBJECT_CLASS (procura_ledger_slot_parent_class)->finalize (object);
}

static void
procura_ledger_slot_class_init (ProcuraLedgerSlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = procura_ledger_slot_finalize;

  /* the slot holds another project */
  slot_changed_signal = g_signal_new ("changed",
                                      G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 0);
}

static void
procura_ledger_slot_init (ProcuraLedgerSlot *self)
{
}

static void
ledger_slot_set_row (ProcuraLedgerSlot *self,
                     ProcuraProjectRow *row)
{
  if (g_set_object (&self->row, row) && self->n_bound > 0)
    g_signal_emit (self, slot_changed_signal, 0);
}

#define PROCURA_TYPE_LEDGER_SLOTS (procura_ledger_slots_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraLedgerSlots, procura_ledger_slots, PROCURA, LEDGER_SLOTS, GObject)

struct _ProcuraLedgerSlots
{
  GObject             parent_instance;

  ProcuraLedgerModel *ledger;
  GPtrArray          *slots;
  gboolean            stale;   /* the ledger shows nothing; slots wait */
};

static GType
procura_ledger_slots_get_item_type (GListModel *model)
{
  return PROCURA_TYPE_LEDGER_SLOT;
}

static guint
procura_ledger_slots_get_n_items (GListModel *model)
{
  return PROCURA_LEDGER_SLOTS (model)->slots->len;
}

/* Slots are made when the view first asks for them: a ledger of 20,000
 * projects shows forty. */
static gpointer
procura_ledger_slots_get_item (GListModel *model,
                               guint       position)
{
  ProcuraLedgerSlots *self = PROCURA_LEDGER_SLOTS (model);
  ProcuraLedgerSlot *slot;

  if (position >= self->slots->len)
    return NULL;

  if ((slot = g_ptr_array_index (self->slots, position)) == NULL)
    {
      slot = g_object_new (PROCURA_TYPE_LEDGER_SLOT, NULL);
      slot->row = g_object_ref (g_ptr_array_index (self->ledger->shown, position));
      g_ptr_array_index (self->slots, position) = slot;
    }

  return g_object_ref (slot);
}

static void
procura_ledger_slots_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = procura_ledger_slots_get_item_type;
  iface->get_n_items = procura_ledger_slots_get_n_items;
  iface->get_item = procura_ledger_slots_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ProcuraLedgerSlots, procura_ledger_slots, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, procura_ledger_slots_iface_init))

static void
procura_ledger_slots_dispose (GObject *object)
{
  ProcuraLedgerSlots *self = (ProcuraLedgerSlots *)object;

  if (self->ledger != NULL)
    g_signal_handlers_disconnect_by_data (self->ledger, self);
  g_clear_object (&self->ledger);

  G_OBJECT_CLASS (procura_ledger_slots_parent_class)->dispose (object);
}

static void
procura_ledger_slots_finalize (GObject *object)
{
  g_clear_pointer (&PROCURA_LEDGER_SLOTS (object)->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (procura_ledger_slots_parent_class)->finalize (object);
}

static void
procura_ledger_slots_class_init (ProcuraLedgerSlotsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = procura_ledger_slots_dispose;
  object_class->finalize = procura_ledger_slots_finalize;
}

static void
slot_unref (gpointer slot)
{
  /* slots never asked for were never made */
  if (slot != NULL)
    g_object_unref (slot);
}

static void
procura_ledger_slots_init (ProcuraLedgerSlots *self)
{
  self->slots = g_ptr_array_new_with_free_func (slot_unref);
}

static void
ledger_slots_items_changed_cb (ProcuraLedgerSlots *self,
                               guint               position,
                               guint               removed,
                               guint               added,
                               ProcuraLedgerModel *ledger)
{
  GPtrArray *shown = ledger->shown;
  guint n_old = self->slots->len;
  guint n_new = shown->len;
  guint n_common;
  guint end;

  /* Nothing to show: the window shows a status page instead of the
   * table, so keep the rows for when there is something again (making
   * forty rows anew costs more than a keystroke may). */
  if (n_new == 0 && n_old > 0)
    {
      self->stale = TRUE;
      return;
    }

  if (self->stale)
    {
      self->stale = FALSE;
      position = 0;
      removed = n_old;
      added = n_new;
    }

  n_common = MIN (n_old, n_new);
  end = removed == added ? MIN (position + added, n_common) : n_common;

  /* the slots that stay, from the first change on */
  for (guint i = position; i < end; i++)
    {
      ProcuraLedgerSlot *slot = g_ptr_array_index (self->slots, i);

      if (slot != NULL)
        ledger_slot_set_row (slot, g_ptr_array_index (shown, i));
    }

  if (n_new > n_old)
    {
      g_ptr_array_set_size (self->slots, n_new);
      g_list_model_items_changed (G_LIST_MODEL (self), n_old, 0, n_new - n_old);
    }
  else if (n_new < n_old)
    {
      g_ptr_array_set_size (self->slots, n_new);
      g_list_model_items_changed (G_LIST_MODEL (self), n_new, n_old - n_new, 0);
    }
}

static ProcuraLedgerSlots *
ledger_slots_new (ProcuraLedgerModel *ledger)
{
  ProcuraLedgerSlots *self = g_object_new (PROCURA_TYPE_LEDGER_SLOTS, NULL);

  self->ledger = g_object_ref (ledger);
  g_signal_connect_object (ledger, "items-changed",
                           G_CALLBACK (ledger_slots_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  ledger_slots_items_changed_cb (self, 0, 0, ledger->shown->len, ledger);

  return self;
}

/* The filter bar: one drop-down per facet. */
typedef enum
{
  FACET_YEAR,
  FACET_STREET,
  FACET_STATUS,
  FACET_CATEGORY,
  FACET_AGENCY,
  N_FACETS
} Facet;

static const struct
{
  const char *property;
  const char *key;        /* GSettings key */
  const char *all_label;  /* the choice that filters nothing */
} facet_info[N_FACETS] = {
  [FACET_YEAR]     = { "filter-year", "ledger-filter-year", N_("All Years") },
  [FACET_STREET]   = { "filter-street", "ledger-filter-street", N_("All Streets") },
  [FACET_STATUS]   = { "filter-status", "ledger-filter-status", N_("All Statuses") },
  [FACET_CATEGORY] = { "filter-category", "ledger-filter-category", N_("All Categories") },
  [FACET_AGENCY]   = { "filter-agency", "ledger-filter-agency", N_("All Agencies") },
};

/* The places of the sidebar, in order; "project" is reached from them. */
static const char * const sidebar_places[] = { "dashboard", "ledger", "organizations" };

typedef struct
{
  ProcuraWindow *self;
  guint          index;
} ColumnSortData;

struct _ProcuraWindow
{
  AdwApplicationWindow  parent_instance;

  /* shown only to accounts that may create what they offer */
  GtkWidget            *new_button;
  GtkWidget            *empty_new_button;

  ProcuraStore         *store;
  GSettings            *settings;

  ProcuraLedgerModel   *ledger;
  ProcuraLedgerSlots   *slots;
  GtkSingleSelection   *selection;

  /* the filter bar; NULL when a facet filters nothing */
  char                 *facets[N_FACETS];
  GPtrArray            *facet_values[N_FACETS];  /* of the drop-downs' items; [0] is NULL */
  int                   filter_year;
  gboolean              filter_overdue;

  char                 *sort_column;
  gboolean              sort_descending;
  ColumnSortData        column_sort_data[10];
  int                   probe_column;

  char                 *search_text;   /* as typed */
  char                 *search_key;    /* folded terms joined by spaces */
  char                **search_terms;  /* folded terms, NULL-terminated */
  char                 *error_message;
  AdwToast             *reload_toast;  /* weak */
  guint                 n_projects;
  guint                 n_shown;

  GCancellable         *load_cancellable;
  guint                 load_serial;
  gboolean              toast_when_loaded;

  char                 *project_id;
  char                 *previous_place;

  /* interchange: the file choosers while open */
  GtkFileChooserNative *import_chooser;
  GtkFileChooserNative *pdf_chooser;
  AdwToast             *print_toast;  /* weak: while a report is prepared */
  char                 *pdf_project_id;  /* the report the PDF chooser is for; NULL: the district */
  GtkWidget            *dashboard;
  GtkWidget            *organizations_page;
  GtkWidget            *project_page;

  guint                 constructed : 1;
  guint                 loading : 1;
  guint                 updating_drops : 1;
  guint                 applying_sort : 1;
  guint                 dashboard_dirty : 1;
  guint                 probing : 1;

  /* Template widgets */
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  AdwHeaderBar         *header_bar;
  ProcuraSyncButton    *sync_button;
  guint                 n_conflicts_seen;  /* toasts only for new ones */
  GtkWidget            *back_button;
  GtkWidget            *search_button;
  AdwWindowTitle       *window_title;
  gboolean              ledger_loaded;  /* once; see set_places_store() */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *places_stack;
  AdwBin               *dashboard_bin;
  AdwBin               *organizations_bin;
  AdwBin               *project_bin;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkFlowBox           *filter_box;
  GtkDropDown          *year_drop;
  GtkDropDown          *street_drop;
  GtkDropDown          *status_drop;
  GtkDropDown          *category_drop;
  GtkDropDown          *agency_drop;
  GtkWidget            *clear_filters_button;
  GtkStack             *ledger_stack;
  GtkSpinner           *loading_spinner;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *code_column;
  GtkColumnViewColumn  *title_column;
  GtkColumnViewColumn  *agency_column;
  GtkColumnViewColumn  *place_column;
  GtkColumnViewColumn  *value_column;
  GtkColumnViewColumn  *paid_column;
  GtkColumnViewColumn  *progress_column;
  GtkColumnViewColumn  *status_column;
  GtkColumnViewColumn  *next_due_column;
  GtkColumnViewColumn  *grade_column;
  AdwStatusPage        *empty_page;
  AdwStatusPage        *error_page;
  GtkWidget            *no_results_page;
};

G_DEFINE_FINAL_TYPE (ProcuraWindow, procura_window, ADW_TYPE_APPLICATION_WINDOW)

/* The ledger's columns: the names kept in ledger-sort-column, and how
 * each sorts. */
static const struct
{
  const char       *name;
  gsize             offset;
  GCompareDataFunc  compare;
} ledger_columns[] = {
  { "code", G_STRUCT_OFFSET (ProcuraWindow, code_column), procura_project_row_compare_code },
  { "title", G_STRUCT_OFFSET (ProcuraWindow, title_column), procura_project_row_compare_title },
  { "agency", G_STRUCT_OFFSET (ProcuraWindow, agency_column), procura_project_row_compare_agency },
  { "place", G_STRUCT_OFFSET (ProcuraWindow, place_column), procura_project_row_compare_place },
  { "value", G_STRUCT_OFFSET (ProcuraWindow, value_column), procura_project_row_compare_value },
  { "paid", G_STRUCT_OFFSET (ProcuraWindow, paid_column), procura_project_row_compare_paid },
  { "progress", G_STRUCT_OFFSET (ProcuraWindow, progress_column), procura_project_row_compare_progress },
  { "status", G_STRUCT_OFFSET (ProcuraWindow, status_column), procura_project_row_compare_status },
  { "next-due", G_STRUCT_OFFSET (ProcuraWindow, next_due_column), procura_project_row_compare_next_due },
  { "grade", G_STRUCT_OFFSET (ProcuraWindow, grade_column), procura_project_row_compare_score },
};

G_STATIC_ASSERT (G_N_ELEMENTS (ledger_columns) == G_N_ELEMENTS (((ProcuraWindow *) NULL)->column_sort_data));

#define LEDGER_COLUMN(self, i) \
  (*(GtkColumnViewColumn **) G_STRUCT_MEMBER_P ((self), ledger_columns[i].offset))

enum {
  PROP_0,
  PROP_STORE,
  PROP_PLACE,
  PROP_PROJECT_ID,
  PROP_SEARCH_TEXT,
  PROP_FILTER_YEAR,
  PROP_FILTER_STREET,
  PROP_FILTER_STATUS,
  PROP_FILTER_CATEGORY,
  PROP_FILTER_AGENCY,
  PROP_FILTER_OVERDUE,
  PROP_SORT_COLUMN,
  PROP_SORT_DESCENDING,
  PROP_LEDGER_MODEL,
  PROP_N_PROJECTS,
  PROP_N_SHOWN,
  PROP_LOADING,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

/* the facet properties follow the order of Facet */
G_STATIC_ASSERT (PROP_FILTER_YEAR + FACET_YEAR == PROP_FILTER_YEAR);
G_STATIC_ASSERT (PROP_FILTER_YEAR + FACET_AGENCY == PROP_FILTER_AGENCY);

static GParamSpec *properties [N_PROPS];

static void procura_window_set_facet           (ProcuraWindow *self,
                                                Facet          facet,
                                                const char    *value);
static void procura_window_set_filter_overdue  (ProcuraWindow *self,
                                                gboolean       filter_overdue);
static void procura_window_set_sort            (ProcuraWindow *self,
                                                const char    *column,
                                                gboolean       descending);
static ProcuraStore *ensure_store              (ProcuraWindow  *self,
                                                GError        **error);
static GtkListBoxRow *find_sidebar_row         (ProcuraWindow  *self,
                                                const char     *place);
static gboolean is_sidebar_place               (const char     *place);

/* Auxiliary methods */

static GSettings *
dup_settings (void)
{
  static const char *keys[] = {
    "window-width", "window-height", "window-maximized", "window-place",
    "ledger-sort-column", "ledger-sort-descending", "ledger-filter-overdue",
  };
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* An uninstalled run may have no compiled schema: g_settings_new() would
   * abort, so look it up first and go without persistence. */
  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)))
    {
      g_debug ("GSettings schema %s not found; window state is not kept", APP_ID);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (keys) + N_FACETS; i++)
    {
      const char *key = i < G_N_ELEMENTS (keys) ? keys[i] : facet_info[i - G_N_ELEMENTS (keys)].key;

      if (!g_settings_schema_has_key (schema, key))
        {
          g_debug ("GSettings schema %s lacks %s; window state is not kept", APP_ID, key);
          return NULL;
        }
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (ProcuraWindow *self)
{
  int width;
  int height;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* the place last used, before the store arrives: what it shows is what
   * start-up loads first */
  {
    g_autofree char *place = g_settings_get_string (self->settings, "window-place");

    if (is_sidebar_place (place))
      {
        gtk_stack_set_visible_child_name (self->places_stack, place);
        gtk_list_box_select_row (self->sidebar_list, find_sidebar_row (self, place));
      }
  }
}

static void
save_window_state (ProcuraWindow *self)
{
  int width;
  int height;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  /* The default size follows the window while it is not maximized, so it
   * is the size to restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_string (self->settings, "window-place",
                         is_sidebar_place (procura_window_get_place (self)) ? procura_window_get_place (self)
                                                                           : self->previous_place);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

/* The filter bar and the sort order follow their settings both ways:
 * a choice is saved at once and restored by the next window. */
static void
bind_ledger_settings (ProcuraWindow *self)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  for (guint i = 0; i < N_FACETS; i++)
    g_settings_bind (self->settings, facet_info[i].key,
                     self, facet_info[i].property,
                     G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ledger-filter-overdue",
                   self, "filter-overdue",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ledger-sort-column",
                   self, "sort-column",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "ledger-sort-descending",
                   self, "sort-descending",
                   G_SETTINGS_BIND_DEFAULT);
}

static char **
split_search_terms (const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text != NULL ? text : "", -1);
  g_auto(GStrv) wide = g_strsplit (folded, "\u3000", -1);  /* ideographic space */
  g_autofree char *narrow = g_strjoinv (" ", wide);
  g_auto(GStrv) parts = g_strsplit_set (narrow, " \t\n\r", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

/* The filter bar and the search in one pass; runs for every row on every
 * keystroke, so it only compares what the row already holds. */
static gboolean
ledger_filter_func (ProcuraProjectRow *row,
                    gpointer           user_data)
{
  ProcuraWindow *self = user_data;
  const ProcuraLedgerRow *r = procura_project_row_get_ledger_row (row);

  if (self->facets[FACET_STATUS] != NULL && g_strcmp0 (r->status, self->facets[FACET_STATUS]) != 0)
    return FALSE;
  if (self->facets[FACET_CATEGORY] != NULL && g_strcmp0 (r->category, self->facets[FACET_CATEGORY]) != 0)
    return FALSE;
  if (self->facets[FACET_STREET] != NULL && g_strcmp0 (r->street, self->facets[FACET_STREET]) != 0)
    return FALSE;
  if (self->facets[FACET_AGENCY] != NULL && g_strcmp0 (r->agency_id, self->facets[FACET_AGENCY]) != 0)
    return FALSE;
  if (self->filter_year != 0 && procura_project_row_get_year (row) != self->filter_year)
    return FALSE;
  if (self->filter_overdue && r->n_overdue == 0)
    return FALSE;

  return procura_project_row_matches (row, (const char * const *)self->search_terms);
}

static gboolean
has_filters (ProcuraWindow *self)
{
  for (guint i = 0; i < N_FACETS; i++)
    {
      if (self->facets[i] != NULL)
        return TRUE;
    }

  return self->filter_overdue;
}

/* Applies text to the filter at once (the entry's own signal comes after
 * its search delay). */
static void
apply_search (ProcuraWindow *self,
              const char    *text)
{
  g_auto(GStrv) terms = NULL;
  g_autofree char *key = NULL;
  GtkFilterChange change;

  g_assert (PROCURA_IS_WINDOW (self));

  if (text == NULL)
    text = "";

  if (g_strcmp0 (text, self->search_text) == 0)
    return;

  g_free (self->search_text);
  self->search_text = g_strdup (text);

  terms = split_search_terms (text);
  key = g_strjoinv (" ", terms);

  if (g_strcmp0 (key, self->search_key) != 0)
    {
      const char *old_key = self->search_key != NULL ? self->search_key : "";

      /* Typing on narrows the result, deleting widens it: tell the filter
       * model so that it only looks at the rows that can change. */
      if (g_str_has_prefix (key, old_key))
        change = GTK_FILTER_CHANGE_MORE_STRICT;
      else if (g_str_has_prefix (old_key, key))
        change = GTK_FILTER_CHANGE_LESS_STRICT;
      else
        change = GTK_FILTER_CHANGE_DIFFERENT;

      g_strfreev (self->search_terms);
      self->search_terms = g_steal_pointer (&terms);
      g_free (self->search_key);
      self->search_key = g_steal_pointer (&key);

      ledger_model_refilter (self->ledger, change);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SEARCH_TEXT]);
}

/* The header bar: title, subtitle and buttons of the place shown. */
static void
update_header (ProcuraWindow *self)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *window_title = NULL;
  const char *place;
  const char *title = NULL;

  g_assert (PROCURA_IS_WINDOW (self));

  place = procura_window_get_place (self);

  if (g_str_equal (place, "ledger"))
    {
      title = _("Project Ledger");
      if (self->n_projects > 0)
        /* Translators: the count of the project ledger, e.g. "12 of 2000
         * projects": the number shown after searching, of the number in the
         * ledger. The plural follows the second number. */
        subtitle = g_strdup_printf (ngettext ("%u of %u project",
                                              "%u of %u projects",
                                              self->n_projects),
                                    self->n_shown, self->n_projects);
    }
  else if (g_str_equal (place, "project"))
    {
      ProcuraProjectPage *page = PROCURA_PROJECT_PAGE (self->project_page);

      /* The page shows the title large right below the header bar: the
       * header bar stays empty rather than repeat it, the window title
       * (task switcher) names the project. */
      title = procura_project_page_get_title (page);
      if (title == NULL)
        title = _("Project");
      window_title = g_strdup (title);
      title = "";
    }
  else if (g_str_equal (place, "organizations"))
    {
      title = _("Organizations");
    }
  else
    {
      title = _("Dashboard");
    }

  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");
  if (window_title == NULL)
    window_title = g_strdup (title);
  {
    /* Translators: the window title: the place or project shown, then the
     * application's name, e.g. "Project Ledger — Procura" */
    g_autofree char *full = g_strdup_printf (_("%s — %s"), window_title, _("Procura"));

    gtk_window_set_title (GTK_WINDOW (self), full);
  }

  gtk_widget_set_visible (self->search_button, g_str_equal (place, "ledger"));
  gtk_widget_set_visible (self->back_button, g_str_equal (place, "project"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back", g_str_equal (place, "project"));
}

static void
update_ledger_state (ProcuraWindow *self)
{
  guint n_projects;
  guint n_shown;
  const char *page;

  g_assert (PROCURA_IS_WINDOW (self));

  n_projects = self->ledger->base->len;
  n_shown = self->ledger->shown->len;

  if (n_projects == 0 && self->loading)
    page = "loading";
  else if (n_projects == 0 && self->error_message != NULL)
    page = "error";
  else if (n_projects == 0)
    page = "empty";
  else
    page = "table";

  gtk_stack_set_visible_child_name (self->ledger_stack, page);
  gtk_widget_set_visible (self->no_results_page, n_projects > 0 && n_shown == 0);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (page, "loading"));

  if (n_projects == 0 && self->store != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (procura_store_get_data_dir (self->store), -1);
      g_autofree char *description = NULL;

      description = g_strdup_printf (_("The data folder “%s” holds no projects yet."), escaped);
      adw_status_page_set_description (self->empty_page, description);
    }

  if (self->n_projects != n_projects)
    {
      self->n_projects = n_projects;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PROJECTS]);
    }

  if (self->n_shown != n_shown)
    {
      self->n_shown = n_shown;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_SHOWN]);
    }

  update_header (self);
}

static void
set_error_message (ProcuraWindow *self,
                   const char    *message)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (g_strcmp0 (message, self->error_message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
}

static void
set_loading (ProcuraWindow *self,
             gboolean       loading)
{
  g_assert (PROCURA_IS_WINDOW (self));

  loading = !!loading;

  if (self->loading == loading)
    return;

  self->loading = loading;
  update_ledger_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

/* Shows a failed load: on the error page when nothing is shown, else in a
 * toast over the rows of the last successful load. */
static void
show_load_error (ProcuraWindow *self,
                 const GError  *error)
{
  g_autofree char *escaped = NULL;

  g_assert (PROCURA_IS_WINDOW (self));
  g_assert (error != NULL);

  g_debug ("Loading the ledger failed: %s", error->message);

  set_error_message (self, error->message);

  escaped = g_markup_escape_text (error->message, -1);
  adw_status_page_set_description (self->error_page, escaped);

  if (self->ledger->base->len > 0)
    {
      g_autofree char *title = NULL;
      AdwToast *toast;

      title = g_strdup_printf (_("Could not reload the ledger: %s"), escaped);
      toast = adw_toast_new (title);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }

  update_ledger_state (self);
}

/* ---- the filter bar ---------------------------------------------------- */

static GtkDropDown *
facet_drop (ProcuraWindow *self,
            Facet          facet)
{
  switch (facet)
    {
    case FACET_YEAR: return self->year_drop;
    case FACET_STREET: return self->street_drop;
    case FACET_STATUS: return self->status_drop;
    case FACET_CATEGORY: return self->category_drop;
    case FACET_AGENCY: return self->agency_drop;
    case N_FACETS:
    default:
      g_assert_not_reached ();
    }
}

static const ProcuraFieldInfo *
facet_field (Facet facet)
{
  if (facet == FACET_STATUS)
    return procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status");
  if (facet == FACET_CATEGORY)
    return procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "category");

  return NULL;
}

static char *
format_year (int year)
{
  /* Translators: a year in the ledger's year filter, e.g. "2026" (zh_CN:
   * "%d年") */
  return g_strdup_printf (C_("ledger filter", "%d"), year);
}

/* What the drop-down shows for a value it did not offer yet, e.g. a
 * restored choice before the ledger is loaded. */
static char *
facet_label (ProcuraWindow *self,
             Facet          facet,
             const char    *value)
{
  const ProcuraFieldInfo *field = facet_field (facet);

  if (field != NULL)
    return g_strdup (procura_field_enum_label (field, value));

  if (facet == FACET_YEAR)
    return format_year (atoi (value));

  if (facet == FACET_AGENCY && self->store != NULL)
    {
      g_autoptr(ProcuraRecord) agency = NULL;

      agency = procura_store_get (self->store, PROCURA_ENTITY_ORGANIZATION, value, NULL);
      if (agency != NULL && procura_record_get_string (agency, "name") != NULL)
        return g_strdup (procura_record_get_string (agency, "name"));
    }

  return g_strdup (value);
}

/* Selects the drop-down's item for the facet's value, adding one when it
 * is not offered. */
static void
sync_facet_drop (ProcuraWindow *self,
                 Facet          facet)
{
  GtkDropDown *drop = facet_drop (self, facet);
  GPtrArray *values = self->facet_values[facet];
  const char *value = self->facets[facet];
  guint position = 0;

  g_assert (PROCURA_IS_WINDOW (self));

  if (value != NULL)
    {
      position = GTK_INVALID_LIST_POSITION;
      for (guint i = 1; i < values->len; i++)
        {
          if (g_strcmp0 (g_ptr_array_index (values, i), value) == 0)
            {
              position = i;
              break;
            }
        }

      if (position == GTK_INVALID_LIST_POSITION)
        {
          GtkStringList *labels = GTK_STRING_LIST (gtk_drop_down_get_model (drop));
          g_autofree char *label = facet_label (self, facet, value);

          self->updating_drops = TRUE;
          gtk_string_list_append (labels, label);
          self->updating_drops = FALSE;
          g_ptr_array_add (values, g_strdup (value));
          position = values->len - 1;
        }
    }

  if (gtk_drop_down_get_selected (drop) != position)
    {
      self->updating_drops = TRUE;
      gtk_drop_down_set_selected (drop, position);
      self->updating_drops = FALSE;
    }
}

/* Replaces a drop-down's choices: "all" first, then values with their
 * labels (arrays of the same length). */
static void
set_facet_choices (ProcuraWindow *self,
                   Facet          facet,
                   GPtrArray     *values,
                   GPtrArray     *labels)
{
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  GPtrArray *all_values = g_ptr_array_new_with_free_func (g_free);

  g_assert (PROCURA_IS_WINDOW (self));
  g_assert (values->len == labels->len);

  gtk_string_list_append (model, _(facet_info[facet].all_label));
  g_ptr_array_add (all_values, NULL);

  for (guint i = 0; i < values->len; i++)
    {
      gtk_string_list_append (model, g_ptr_array_index (labels, i));
      g_ptr_array_add (all_values, g_strdup (g_ptr_array_index (values, i)));
    }

  g_clear_pointer (&self->facet_values[facet], g_ptr_array_unref);
  self->facet_values[facet] = all_values;

  self->updating_drops = TRUE;
  gtk_drop_down_set_model (facet_drop (self, facet), G_LIST_MODEL (model));
  self->updating_drops = FALSE;

  sync_facet_drop (self, facet);
}

static void
set_enum_facet_choices (ProcuraWindow *self,
                        Facet          facet)
{
  const ProcuraFieldInfo *field = facet_field (facet);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  for (guint i = 0; field != NULL && field->enum_values[i].code != NULL; i++)
    {
      g_ptr_array_add (values, (gpointer) field->enum_values[i].code);
      g_ptr_array_add (labels, (gpointer) procura_field_enum_label (field, field->enum_values[i].code));
    }

  set_facet_choices (self, facet, values, labels);
}

typedef struct
{
  const char *value;
  const char *label;
  char       *sort_key;
} Choice;

static void
choice_free (gpointer data)
{
  Choice *choice = data;

  g_free (choice->sort_key);
  g_free (choice);
}

static int
compare_choices (gconstpointer a,
                 gconstpointer b)
{
  const Choice *x = *(Choice * const *)a;
  const Choice *y = *(Choice * const *)b;

  return strcmp (x->sort_key, y->sort_key);
}

static int
compare_years_descending (gconstpointer a,
                          gconstpointer b)
{
  int x = GPOINTER_TO_INT (*(gpointer const *)a);
  int y = GPOINTER_TO_INT (*(gpointer const *)b);

  return (x < y) - (x > y);
}

/* What a loaded ledger offers to filter by: years (newest first),
 * streets and agencies (in the locale's order), as values and labels.
 * Made with the rows, in the worker thread. */
typedef enum
{
  CHOICES_YEAR,
  CHOICES_STREET,
  CHOICES_AGENCY,
  N_CHOICES
} ChoicesKind;

static const Facet choices_facet[N_CHOICES] = { FACET_YEAR, FACET_STREET, FACET_AGENCY };

typedef struct
{
  GPtrArray *items;                 /* ProcuraProjectRow */
  GPtrArray *values[N_CHOICES];     /* char * */
  GPtrArray *labels[N_CHOICES];     /* char * */
} LedgerLoad;

static void
ledger_load_free (gpointer data)
{
  LedgerLoad *load = data;

  g_clear_pointer (&load->items, g_ptr_array_unref);
  for (guint i = 0; i < N_CHOICES; i++)
    {
      g_clear_pointer (&load->values[i], g_ptr_array_unref);
      g_clear_pointer (&load->labels[i], g_ptr_array_unref);
    }
  g_free (load);
}

static void
collect_choices (LedgerLoad *load)
{
  g_autoptr(GHashTable) years = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) streets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) agencies = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) year_list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  for (guint i = 0; i < N_CHOICES; i++)
    {
      load->values[i] = g_ptr_array_new_with_free_func (g_free);
      load->labels[i] = g_ptr_array_new_with_free_func (g_free);
    }

  for (guint i = 0; i < load->items->len; i++)
    {
      ProcuraProjectRow *row = g_ptr_array_index (load->items, i);
      const ProcuraLedgerRow *r = procura_project_row_get_ledger_row (row);
      int year = procura_project_row_get_year (row);

      if (year != 0)
        g_hash_table_add (years, GINT_TO_POINTER (year));
      if (r->street != NULL && r->street[0] != '\0')
        g_hash_table_add (streets, r->street);
      if (r->agency_id != NULL)
        g_hash_table_insert (agencies, r->agency_id, r->agency_name != NULL ? r->agency_name : r->agency_id);
    }

  g_hash_table_iter_init (&iter, years);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (year_list, key);
  g_ptr_array_sort (year_list, compare_years_descending);
  for (guint i = 0; i < year_list->len; i++)
    {
      int year = GPOINTER_TO_INT (g_ptr_array_index (year_list, i));

      g_ptr_array_add (load->values[CHOICES_YEAR], g_strdup_printf ("%d", year));
      g_ptr_array_add (load->labels[CHOICES_YEAR], format_year (year));
    }

  for (guint kind = CHOICES_STREET; kind <= CHOICES_AGENCY; kind++)
    {
      GHashTable *table = kind == CHOICES_STREET ? streets : agencies;
      g_autoptr(GPtrArray) choices = g_ptr_array_new_with_free_func (choice_free);

      g_hash_table_iter_init (&iter, table);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          Choice *choice = g_new0 (Choice, 1);

          choice->value = key;
          choice->label = kind == CHOICES_STREET ? key : value;
          choice->sort_key = g_utf8_collate_key (choice->label, -1);
          g_ptr_array_add (choices, choice);
        }
      g_ptr_array_sort (choices, compare_choices);

      for (guint i = 0; i < choices->len; i++)
        {
          Choice *choice = g_ptr_array_index (choices, i);

          g_ptr_array_add (load->values[kind], g_strdup (choice->value));
          g_ptr_array_add (load->labels[kind], g_strdup (choice->label));
        }
    }
}

static void
apply_choices (ProcuraWindow *self,
               LedgerLoad    *load)
{
  g_assert (PROCURA_IS_WINDOW (self));

  for (guint kind = 0; kind < N_CHOICES; kind++)
    set_facet_choices (self, choices_facet[kind], load->values[kind], load->labels[kind]);
}

static void
facet_selected_cb (ProcuraWindow *self,
                   GParamSpec    *pspec,
                   GtkDropDown   *drop)
{
  guint position;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->updating_drops)
    return;

  position = gtk_drop_down_get_selected (drop);

  for (guint facet = 0; facet < N_FACETS; facet++)
    {
      GPtrArray *values = self->facet_values[facet];

      if (facet_drop (self, facet) != drop)
        continue;

      if (position < values->len)
        procura_window_set_facet (self, facet, g_ptr_array_index (values, position));
      break;
    }
}

static void
update_filter_actions (ProcuraWindow *self)
{
  gboolean active = has_filters (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-filters", active);
  gtk_widget_set_visible (self->clear_filters_button, active);
}

/* ---- sorting ------------------------------------------------------------ */

/* Each column's GtkCustomSorter: the column's comparison, noting which
 * column the column view's sorter asks first while probing. */
static int
column_sort_cb (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  ColumnSortData *data = user_data;

  if (data->self->probing && data->self->probe_column < 0)
    data->self->probe_column = data->index;

  return ledger_columns[data->index].compare (a, b, NULL);
}

/* GTK 4.8 has no API to ask the column view's sorter which column a
 * header click made it sort by (that came with GTK 4.10), so ask the
 * sorter itself: it compares by its first column first, which the
 * column's own sorter notes (column_sort_cb()); comparing two projects
 * that column tells apart gives the direction. FALSE when the ledger has
 * too few projects to tell. */
static gboolean
probe_view_sort (ProcuraWindow *self,
                 int           *out_column,
                 gboolean      *out_descending)
{
  GtkSorter *view_sorter = gtk_column_view_get_sorter (self->column_view);
  GPtrArray *rows = self->ledger->base;
  GCompareDataFunc compare;
  gpointer first;

  g_assert (PROCURA_IS_WINDOW (self));

  if (rows->len < 2)
    return FALSE;

  first = g_ptr_array_index (rows, 0);

  self->probing = TRUE;
  self->probe_column = -1;
  gtk_sorter_compare (view_sorter, first, g_ptr_array_index (rows, 1));
  self->probing = FALSE;

  *out_column = self->probe_column;
  *out_descending = FALSE;

  /* no column: the store's order */
  if (self->probe_column < 0)
    return TRUE;

  compare = ledger_columns[self->probe_column].compare;
  for (guint i = 1; i < rows->len; i++)
    {
      gpointer other = g_ptr_array_index (rows, i);
      int by_column = compare (first, other, NULL);

      if (by_column != 0)
        {
          int by_view = gtk_sorter_compare (view_sorter, first, other);

          *out_descending = (by_view < 0) != (by_column < 0);
          break;
        }
    }

  return TRUE;
}

static void
sorter_changed_cb (ProcuraWindow   *self,
                   GtkSorterChange  change,
                   GtkSorter       *sorter)
{
  int column;
  gboolean descending;

  g_assert (PROCURA_IS_WINDOW (self));

  /* apply_sort() sorts the ledger itself */
  if (self->applying_sort)
    return;

  /* a header was clicked: sort as it says, and keep that */
  if (probe_view_sort (self, &column, &descending))
    {
      procura_window_set_sort (self, column >= 0 ? ledger_columns[column].name : NULL, descending);
    }
  else
    {
      /* too few projects to tell: as the column view's sorter says */
      self->ledger->compare = NULL;
      self->ledger->use_sorter = TRUE;
      ledger_model_resort (self->ledger);
    }
}

/* Shows sort-column and sort-descending in the column titles and sorts
 * the ledger so. */
static void
apply_sort (ProcuraWindow *self)
{
  GtkColumnViewColumn *column = NULL;
  GCompareDataFunc compare = NULL;

  g_assert (PROCURA_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (ledger_columns); i++)
    {
      if (g_strcmp0 (self->sort_column, ledger_columns[i].name) == 0)
        {
          column = LEDGER_COLUMN (self, i);
          compare = ledger_columns[i].compare;
        }
    }

  self->applying_sort = TRUE;
  gtk_column_view_sort_by_column (self->column_view, column,
                                  self->sort_descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->applying_sort = FALSE;

  self->ledger->compare = compare;
  self->ledger->use_sorter = FALSE;
  self->ledger->descending = self->sort_descending;
  ledger_model_resort (self->ledger);
}

/* ---- places --------------------------------------------------------------- */

static GtkListBoxRow *
find_sidebar_row (ProcuraWindow *self,
                  const char    *place)
{
  g_assert (PROCURA_IS_WINDOW (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GVariant *target;

      if (!GTK_IS_LIST_BOX_ROW (child))
        continue;

      target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (child));
      if (target != NULL &&
          g_variant_is_of_type (target, G_VARIANT_TYPE_STRING) &&
          g_strcmp0 (g_variant_get_string (target, NULL), place) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static gboolean
is_sidebar_place (const char *place)
{
  for (guint i = 0; i < G_N_ELEMENTS (sidebar_places); i++)
    {
      if (g_strcmp0 (sidebar_places[i], place) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
project_page_changed_cb (ProcuraWindow      *self,
                         ProcuraProjectPage *page)
{
  g_assert (PROCURA_IS_WINDOW (self));

  /* the ledger's figures, the dashboard's lists */
  procura_window_reload_async (self);
}

static void
project_page_toast_cb (ProcuraWindow      *self,
                       const char         *message,
                       ProcuraProjectPage *page)
{
  AdwToast *toast;

  g_assert (PROCURA_IS_WINDOW (self));

  if (message == NULL || message[0] == '\0')
    return;

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
project_page_title_cb (ProcuraWindow      *self,
                       GParamSpec         *pspec,
                       ProcuraProjectPage *page)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (g_str_equal (procura_window_get_place (self), "project"))
    update_header (self);
}

static void
create_places (ProcuraWindow *self)
{
  g_assert (PROCURA_IS_WINDOW (self));

  self->dashboard = procura_dashboard_new (NULL);
  self->organizations_page = procura_organizations_page_new (NULL);
  self->project_page = procura_project_page_new (NULL);

  g_signal_connect_object (self->project_page, "changed",
                           G_CALLBACK (project_page_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->project_page, "toast",
                           G_CALLBACK (project_page_toast_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->project_page, "notify::title",
                           G_CALLBACK (project_page_title_cb), self,
                           G_CONNECT_SWAPPED);

  adw_bin_set_child (self->dashboard_bin, self->dashboard);
  adw_bin_set_child (self->organizations_bin, self->organizations_page);
  adw_bin_set_child (self->project_bin, self->project_page);
}

/* Gives the places the window's store: the dashboard at once, the
 * others when they are first shown, so that start-up reads only what the
 * first place shows. */
static void
set_places_store (ProcuraWindow *self)
{
  const char *place;

  g_assert (PROCURA_IS_WINDOW (self));

  place = procura_window_get_place (self);

  /* Before the window is first shown, the dashboard loads in the
   * background so the window appears at once. When the window opens on
   * another place, the dashboard waits for the ledger: the two would
   * share the two cores the first place needs. */
  if (procura_dashboard_get_store (PROCURA_DASHBOARD (self->dashboard)) != self->store &&
      (g_str_equal (place, "dashboard") || self->ledger_loaded))
    {
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        procura_dashboard_set_store (PROCURA_DASHBOARD (self->dashboard), self->store);
      else
        procura_dashboard_set_store_async (PROCURA_DASHBOARD (self->dashboard), self->store);
    }
  if (procura_project_page_get_store (PROCURA_PROJECT_PAGE (self->project_page)) != self->store)
    procura_project_page_set_store (PROCURA_PROJECT_PAGE (self->project_page), self->store);

  if (PROCURA_IS_ORGANIZATIONS_PAGE (self->organizations_page) &&
      (g_str_equal (place, "organizations") ||
       procura_organizations_page_get_store (PROCURA_ORGANIZATIONS_PAGE (self->organizations_page)) != NULL))
    procura_organizations_page_set_store (PROCURA_ORGANIZATIONS_PAGE (self->organizations_page), self->store);
}

/* Tells the places other than the ledger that the store changed. */
static void
reload_places (ProcuraWindow *self)
{
  const char *place;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->store == NULL)
    return;

  place = procura_window_get_place (self);

  /* Only the place shown reads the store now: the dashboard when it is
   * next shown, the organizations page whenever it is shown again.
   * Errors show on the pages themselves. */
  if (g_str_equal (place, "dashboard"))
    procura_dashboard_reload (PROCURA_DASHBOARD (self->dashboard));
  else
    self->dashboard_dirty = TRUE;

  if (g_str_equal (place, "organizations") &&
      procura_organizations_page_get_store (PROCURA_ORGANIZATIONS_PAGE (self->organizations_page)) != NULL)
    procura_organizations_page_reload (PROCURA_ORGANIZATIONS_PAGE (self->organizations_page), NULL);

  /* A project page left as it was would offer a review of a report
   * already returned elsewhere; one not shown reloads when shown again
   * (show_project). */
  if (g_str_equal (place, "project") && self->project_id != NULL)
    procura_project_page_reload (PROCURA_PROJECT_PAGE (self->project_page));
}

static void
project_saved_cb (ProcuraWindow       *self,
                  const char          *id,
                  ProcuraRecordEditor *editor)
{
  g_autoptr(ProcuraRecord) project = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  g_assert (PROCURA_IS_WINDOW (self));

  project = procura_store_get (self->store, PROCURA_ENTITY_PROJECT, id, NULL);
  if (project != NULL && procura_record_get_string (project, "title") != NULL)
    /* Translators: a toast; %s is the project's name */
    message = g_strdup_printf (_("Project “%s” created"), procura_record_get_string (project, "title"));
  else
    message = g_strdup (_("Project created"));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  procura_window_reload_async (self);
  procura_window_open_project (self, id);
}

/* The record editor for a new project */
static void
open_project_editor (ProcuraWindow *self)
{
  g_autoptr(GError) error = NULL;
  ProcuraRecordEditor *editor;

  g_assert (PROCURA_IS_WINDOW (self));

  if (ensure_store (self, &error) == NULL)
    {
      AdwToast *toast = adw_toast_new (error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  editor = procura_record_editor_new (GTK_WINDOW (self), self->store, PROCURA_ENTITY_PROJECT, NULL, NULL);
  gtk_window_set_modal (GTK_WINDOW (editor), TRUE);
  g_signal_connect_object (editor, "saved", G_CALLBACK (project_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
show_project (ProcuraWindow *self)
{
  ProcuraProjectPage *page = PROCURA_PROJECT_PAGE (self->project_page);

  g_assert (PROCURA_IS_WINDOW (self));

  if (g_strcmp0 (procura_project_page_get_project_id (page), self->project_id) != 0)
    procura_project_page_set_project_id (page, self->project_id);
  else
    procura_project_page_reload (page);

  update_header (self);
}

/* ---- loading the ledger ----------------------------------------------------- */

typedef struct
{
  char *data_dir;
  char *as_of;
} LoadRequest;

static void
load_request_free (gpointer data)
{
  LoadRequest *request = data;

  g_free (request->data_dir);
  g_free (request->as_of);
  g_free (request);
}

/* ProcuraProjectRow objects for the rows, which they take, ready for
 * searching (so that the first keystroke finds the search text made),
 * and the filter bar's choices. */
static LedgerLoad *
ledger_load_new (GPtrArray *rows)
{
  LedgerLoad *load = g_new0 (LedgerLoad, 1);

  load->items = g_ptr_array_new_full (rows->len, g_object_unref);
  g_ptr_array_set_free_func (rows, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraProjectRow *item = procura_project_row_new (g_ptr_array_index (rows, i));

      procura_project_row_prepare (item);
      g_ptr_array_add (load->items, item);
    }
  g_ptr_array_set_size (rows, 0);

  collect_choices (load);

  return load;
}

static void
load_ledger_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  LoadRequest *request = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 begin_time = g_get_monotonic_time ();

  /* A connection of this thread's own: a store is not shared between
   * threads. */
  if (!(store = procura_store_open (request->data_dir, &error)) ||
      !(rows = procura_store_query_ledger (store, NULL, request->as_of, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  g_debug ("Ledger of %u projects queried in a worker in %.1f ms",
           rows->len, (g_get_monotonic_time () - begin_time) / 1000.0);

  g_task_return_pointer (task, ledger_load_new (rows), ledger_load_free);
}

/* Puts the loaded rows into the ledger. */
static void
apply_load (ProcuraWindow *self,
            LedgerLoad    *load)
{
  GPtrArray *items = load->items;

  gint64 begin_time = g_get_monotonic_time ();

  g_assert (PROCURA_IS_WINDOW (self));

  set_error_message (self, NULL);

  /* One items-changed for the whole ledger */
  ledger_model_set_rows (self->ledger, items);

  apply_choices (self, load);
  update_ledger_state (self);

  g_debug ("Ledger of %u projects shown in %.1f ms",
           items->len, (g_get_monotonic_time () - begin_time) / 1000.0);
}

/* The store, asking the application for it when none was given. */
static ProcuraStore *
ensure_store (ProcuraWindow  *self,
              GError        **error)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (self->store == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      ProcuraStore *store = NULL;

      if (PROCURA_IS_APPLICATION (app))
        store = procura_application_get_store (PROCURA_APPLICATION (app), error);
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                             _("No data folder is open."));

      /* not through the setter: that would load a second time */
      if (g_set_object (&self->store, store))
        {
          set_places_store (self);
          g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
        }
    }

  return self->store;
}

static void
load_ledger_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);
  LedgerLoad *load = NULL;
  g_autoptr(GError) error = NULL;
  guint serial = GPOINTER_TO_UINT (user_data);

  load = g_task_propagate_pointer (G_TASK (result), &error);

  /* disposed, or a later load took over */
  if (self->ledger == NULL || serial != self->load_serial)
    {
      g_clear_pointer (&load, ledger_load_free);
      return;
    }

  g_clear_object (&self->load_cancellable);

  if (load == NULL)
    {
      self->loading = FALSE;
      show_load_error (self, error);
    }
  else
    {
      self->loading = FALSE;
      apply_load (self, load);
      g_clear_pointer (&load, ledger_load_free);

      /* a dashboard that waited for the ledger loads now */
      self->ledger_loaded = TRUE;
      set_places_store (self);

      if (self->toast_when_loaded)
        {
          AdwToast *toast = adw_toast_new (_("Ledger reloaded"));

          if (self->reload_toast != NULL)
            adw_toast_dismiss (self->reload_toast);
          adw_toast_set_timeout (toast, 2);
          g_set_weak_pointer (&self->reload_toast, toast);
          adw_toast_overlay_add_toast (self->toast_overlay, toast);
        }
    }

  self->toast_when_loaded = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

static void
load_ledger_async (ProcuraWindow *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  LoadRequest *request;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  self->load_serial++;

  if (ensure_store (self, &error) == NULL)
    {
      set_loading (self, FALSE);
      show_load_error (self, error);
      return;
    }

  request = g_new0 (LoadRequest, 1);
  request->data_dir = g_strdup (procura_store_get_data_dir (self->store));
  request->as_of = procura_store_dup_today (self->store);

  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, load_ledger_cb, GUINT_TO_POINTER (self->load_serial));
  g_task_set_source_tag (task, load_ledger_async);
  g_task_set_task_data (task, request, load_request_free);
  g_task_run_in_thread (task, load_ledger_thread);

  set_loading (self, TRUE);
}

/* ---- the ledger's cells ------------------------------------------------------- */
static GtkInscription *
cell_inscription (GtkListItem *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (GTK_IS_INSCRIPTION (child))
    return GTK_INSCRIPTION (child);

  /* composite cells keep their text last */
  return GTK_INSCRIPTION (gtk_widget_get_last_child (child));
}

static void
set_cell_text (GtkListItem *list_item,
               const char  *text)
{
  gtk_inscription_set_text (cell_inscription (list_item), text);
}

/* Signal callbacks: the column factories */

static void
setup_text_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (procura_cell_inscription_new (0.0f)));
}

/* Text that is often ellipsized: the whole of it in a tooltip. The tooltip
 * is asked for when needed; setting one on each bind costs more than the
 * rest of the cell. */
static void
setup_long_text_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    ProcuraWindow            *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (procura_cell_long_text_new ()));
}

static void
setup_money_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraWindow            *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (procura_cell_number_new ()));
}

static void
setup_progress_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   ProcuraWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkInscription *inscription = procura_cell_inscription_new (1.0f);

  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_inscription_set_min_chars (inscription, 5);
  gtk_inscription_set_nat_chars (inscription, 5);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");

  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (inscription));
  gtk_list_item_set_child (list_item, box);
}

static gboolean
due_query_tooltip_cb (GtkWidget   *widget,
                      int          x,
                      int          y,
                      gboolean     keyboard_mode,
                      GtkTooltip  *tooltip,
                      GtkListItem *list_item)
{
  ProcuraLedgerSlot *slot = gtk_list_item_get_item (list_item);
  ProcuraProjectRow *row = slot != NULL ? slot->row : NULL;
  g_autofree char *text = NULL;
  guint n_overdue;

  if (row == NULL || (n_overdue = procura_project_row_get_n_overdue (row)) == 0)
    return FALSE;

  text = g_strdup_printf (ngettext ("%u milestone overdue",
                                    "%u milestones overdue",
                                    n_overdue),
                          n_overdue);
  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

static void
setup_due_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_set_visible (icon, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Overdue"),
                                  -1);

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (procura_cell_inscription_new (0.0f)));
  gtk_list_item_set_child (list_item, box);

  /* see setup_long_text_cb() */
  gtk_widget_set_has_tooltip (box, TRUE);
  g_signal_connect (box, "query-tooltip", G_CALLBACK (due_query_tooltip_cb), list_item);
}

static void
update_code (GtkListItem       *list_item,
            ProcuraProjectRow *row)
{

  set_cell_text (list_item, procura_project_row_get_code (row));
}

static void
update_title (GtkListItem       *list_item,
             ProcuraProjectRow *row)
{
  const char *title = procura_project_row_get_title (row);

  set_cell_text (list_item, title);
}

static void
update_agency (GtkListItem       *list_item,
              ProcuraProjectRow *row)
{
  const char *agency = procura_project_row_get_agency_name (row);

  set_cell_text (list_item, agency);
}

static void
update_place (GtkListItem       *list_item,
             ProcuraProjectRow *row)
{

  set_cell_text (list_item, procura_project_row_get_place (row));
}

static void
update_value (GtkListItem       *list_item,
             ProcuraProjectRow *row)
{
  g_autofree char *text = procura_money_format (procura_project_row_get_amended_value (row));

  set_cell_text (list_item, text);
}

static void
update_paid (GtkListItem       *list_item,
            ProcuraProjectRow *row)
{
  g_autofree char *text = procura_money_format (procura_project_row_get_paid (row));

  set_cell_text (list_item, text);
}

static void
update_progress (GtkListItem       *list_item,
                ProcuraProjectRow *row)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  guint progress = procura_project_row_get_progress (row);
  char text[16];

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (gtk_widget_get_first_child (box)),
                                 progress / 1000.0);
  g_snprintf (text, sizeof text, "%u%%", progress / 10);
  set_cell_text (list_item, text);
}

static void
update_status (GtkListItem       *list_item,
              ProcuraProjectRow *row)
{

  set_cell_text (list_item, procura_project_row_get_status_label (row));
}

static void
update_due (GtkListItem       *list_item,
           ProcuraProjectRow *row)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  guint n_overdue = procura_project_row_get_n_overdue (row);
  g_autofree char *due = NULL;

  if (procura_project_row_get_next_due (row) != NULL)
    due = procura_date_format_display (procura_project_row_get_next_due (row));

  set_cell_text (list_item, due);
  gtk_widget_set_visible (gtk_widget_get_first_child (box), n_overdue > 0);

  if (n_overdue > 0)
    gtk_widget_add_css_class (box, "error");
  else
    gtk_widget_remove_css_class (box, "error");
}

static void
update_grade (GtkListItem       *list_item,
             ProcuraProjectRow *row)
{

  set_cell_text (list_item, procura_project_row_get_grade (row));
}

/* Binding: a cell shows the project of its slot, and again whenever the
 * slot gets another project. */
typedef void (*CellUpdateFunc) (GtkListItem       *list_item,
                                ProcuraProjectRow *row);

static void
slot_changed_cb (ProcuraLedgerSlot *slot,
                 GtkListItem       *list_item)
{
  CellUpdateFunc update = g_object_get_data (G_OBJECT (list_item), "procura-cell-update");

  update (list_item, slot->row);
}

static void
bind_cell (GtkListItem    *list_item,
           CellUpdateFunc  update)
{
  ProcuraLedgerSlot *slot = gtk_list_item_get_item (list_item);

  g_object_set_data (G_OBJECT (list_item), "procura-cell-update", update);
  g_object_set_data_full (G_OBJECT (list_item), "procura-cell-slot",
                          g_object_ref (slot), g_object_unref);
  g_signal_connect (slot, "changed", G_CALLBACK (slot_changed_cb), list_item);
  slot->n_bound++;

  update (list_item, slot->row);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraWindow            *self)
{
  ProcuraLedgerSlot *slot = g_object_get_data (G_OBJECT (list_item), "procura-cell-slot");

  if (slot == NULL)
    return;

  g_signal_handlers_disconnect_by_func (slot, slot_changed_cb, list_item);
  slot->n_bound--;
  g_object_set_data (G_OBJECT (list_item), "procura-cell-slot", NULL);
}

static void
bind_code_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             ProcuraWindow            *self)
{
  bind_cell (list_item, update_code);
}

static void
bind_title_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  bind_cell (list_item, update_title);
}

static void
bind_agency_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  bind_cell (list_item, update_agency);
}

static void
bind_place_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  bind_cell (list_item, update_place);
}

static void
bind_value_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  bind_cell (list_item, update_value);
}

static void
bind_paid_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             ProcuraWindow            *self)
{
  bind_cell (list_item, update_paid);
}

static void
bind_progress_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 ProcuraWindow            *self)
{
  bind_cell (list_item, update_progress);
}

static void
bind_status_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  bind_cell (list_item, update_status);
}

static void
bind_due_cb (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            ProcuraWindow            *self)
{
  bind_cell (list_item, update_due);
}

static void
bind_grade_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  bind_cell (list_item, update_grade);
}

/* Signal callbacks */

static void
search_changed_cb (ProcuraWindow  *self,
                   GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (ProcuraWindow  *self,
                GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
search_activate_cb (ProcuraWindow  *self,
                    GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  /* Enter: on to the results */
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (self->n_shown > 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
column_view_activate_cb (ProcuraWindow *self,
                         guint          position,
                         GtkColumnView *column_view)
{
  g_autoptr(ProcuraProjectRow) row = NULL;

  g_assert (PROCURA_IS_WINDOW (self));

  row = g_list_model_get_item (G_LIST_MODEL (self->ledger), position);
  if (row != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.open-project", "s",
                                procura_project_row_get_id (row));
}

static void
filter_items_changed_cb (ProcuraWindow *self,
                         guint          position,
                         guint          removed,
                         guint          added,
                         GListModel    *model)
{
  guint selected;

  g_assert (PROCURA_IS_WINDOW (self));

  /* the selected slot now holds another project */
  selected = gtk_single_selection_get_selected (self->selection);
  if (selected != GTK_INVALID_LIST_POSITION && selected >= position)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  update_ledger_state (self);
}

static void
places_visible_child_cb (ProcuraWindow *self,
                         GParamSpec    *pspec,
                         GtkStack      *stack)
{
  const char *place = gtk_stack_get_visible_child_name (stack);
  GtkListBoxRow *row;

  g_assert (PROCURA_IS_WINDOW (self));

  /* the project page keeps the place it was opened from selected */
  if (!is_sidebar_place (place))
    place = self->previous_place;

  if ((row = find_sidebar_row (self, place)))
    gtk_list_box_select_row (self->sidebar_list, row);

  set_places_store (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (stack), "dashboard") == 0 && self->dashboard_dirty)
    {
      self->dashboard_dirty = FALSE;
      procura_dashboard_reload (PROCURA_DASHBOARD (self->dashboard));
    }
  update_header (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLACE]);
}

/* Actions */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  procura_window_set_place (self, "ledger");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  /* reloads the project page too when it is shown */
  procura_window_reload_async (self);
  self->toast_when_loaded = self->loading;
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

static void
go_back_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  if (g_str_equal (procura_window_get_place (self), "project"))
    procura_window_set_place (self, self->previous_place);
}

static void
open_project_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  procura_window_open_project (self, g_variant_get_string (parameter, NULL));
}

/* A dashboard row names what waits on the project: a report to review
 * opens its reports, a payable tranche its payments. */
static void
open_project_section_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  const char *project_id = NULL;
  const char *section = NULL;

  g_variant_get (parameter, "(&s&s)", &project_id, &section);
  procura_window_open_project (self, project_id);
  procura_project_page_set_section (PROCURA_PROJECT_PAGE (self->project_page), section);
}

static void
new_project_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  open_project_editor (PROCURA_WINDOW (widget));
}

static void
new_organization_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (ensure_store (self, &error) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  /* the organizations page opens the editor and selects what was saved */
  procura_window_set_place (self, "organizations");
  gtk_widget_activate_action (self->organizations_page, "organizations.add", NULL);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  procura_window_clear_filters (PROCURA_WINDOW (widget));
}

/* The empty ledger's way out: no search, no filters. */
static void
show_all_projects_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  procura_window_clear_filters (self);
  procura_window_set_search_text (self, "");
}

/* ---- interchange: import, export, print ------------------------------------ */

static gboolean
may_import (ProcuraWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  const char *role = PROCURA_IS_APPLICATION (app) ? procura_application_get_role (PROCURA_APPLICATION (app)) : NULL;

  return procura_permissions_may_manage_projects (role);
}

static void
show_error_dialog (ProcuraWindow *self,
                   const char    *heading,
                   const char    *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A local commit on another connection: the sync agent hears of it from
 * us rather than from the store's ::committed. */
static void
sync_soon (ProcuraWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  ProcuraSyncAgent *agent = PROCURA_IS_APPLICATION (app) ? procura_application_get_sync_agent (PROCURA_APPLICATION (app)) : NULL;
  ProcuraSyncStatus status;

  if (agent == NULL)
    return;

  status = procura_sync_agent_get_status (agent);
  if (status != PROCURA_SYNC_STATUS_LOCAL && status != PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    procura_sync_agent_sync_now (agent);
}

static void
imported_cb (ProcuraWindow       *self,
             guint                n_written,
             guint                n_skipped,
             ProcuraImportDialog *dialog)
{
  g_autofree char *written = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  g_assert (PROCURA_IS_WINDOW (self));

  /* an OCDS package counts releases: several may update one project */
  if (procura_import_dialog_get_ocds (dialog))
    written = g_strdup_printf (ngettext ("%u release imported", "%u releases imported", n_written), n_written);
  else
    written = g_strdup_printf (ngettext ("%u project imported", "%u projects imported", n_written), n_written);
  if (n_skipped > 0)
    {
      g_autofree char *skipped = NULL;

      if (procura_import_dialog_get_ocds (dialog))
        skipped = g_strdup_printf (ngettext ("%u release skipped", "%u releases skipped", n_skipped), n_skipped);
      else
        skipped = g_strdup_printf (ngettext ("%u row skipped", "%u rows skipped", n_skipped), n_skipped);

      /* Translators: "12 projects imported, 3 rows skipped" */
      message = g_strdup_printf (_("%s, %s"), written, skipped);
    }
  else
    message = g_steal_pointer (&written);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  if (!g_str_equal (procura_window_get_place (self), "dashboard"))
    procura_window_set_place (self, "ledger");
  procura_window_reload_async (self);
  sync_soon (self);
}

void
procura_window_import_file (ProcuraWindow *self,
                            const char    *path)
{
  g_autoptr(GError) error = NULL;
  ProcuraImportDialog *dialog;

  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (!may_import (self))
    return;

  if (ensure_store (self, &error) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  dialog = procura_import_dialog_new (GTK_WINDOW (self), self->store, path);
  g_signal_connect_object (dialog, "imported", G_CALLBACK (imported_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
import_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  procura_window_import_file (PROCURA_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
import_chooser_response_cb (ProcuraWindow        *self,
                            int                   response,
                            GtkFileChooserNative *chooser)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "win.import-file", "s", path);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->import_chooser);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  g_autoptr(GtkFileFilter) spreadsheets = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) ocds = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooser *chooser;

  if (self->import_chooser != NULL)
    return;

  self->import_chooser = gtk_file_chooser_native_new (_("Import Projects"),
                                                      GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_OPEN,
                                                      _("_Open"),
                                                      _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->import_chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->import_chooser), TRUE);

  gtk_file_filter_set_name (spreadsheets, _("Spreadsheets (CSV, Excel)"));
  gtk_file_filter_add_mime_type (spreadsheets, "text/csv");
  gtk_file_filter_add_mime_type (spreadsheets, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  gtk_file_filter_add_pattern (spreadsheets, "*.csv");
  gtk_file_filter_add_pattern (spreadsheets, "*.xlsx");
  gtk_file_chooser_add_filter (chooser, spreadsheets);
  gtk_file_filter_set_name (ocds, _("OCDS release package (*.json)"));
  gtk_file_filter_add_mime_type (ocds, "application/json");
  gtk_file_filter_add_pattern (ocds, "*.json");
  gtk_file_chooser_add_filter (chooser, ocds);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);

  g_signal_connect_object (self->import_chooser, "response",
                           G_CALLBACK (import_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->import_chooser));
}

static void
exported_cb (ProcuraWindow       *self,
             const char          *path,
             ProcuraExportDialog *dialog)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *message = NULL;
  AdwToast *toast;

  /* Translators: a toast; %s is the file's full path */
  message = g_strdup_printf (_("Exported to %s"), name);
  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  g_autoptr(GPtrArray) shown_ids = NULL;
  g_autoptr(GError) error = NULL;
  const char *project_id = NULL;
  const char *project_title = NULL;
  ProcuraExportDialog *dialog;

  if (ensure_store (self, &error) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  /* the ledger as searched and filtered, when it leaves projects out */
  if (self->n_shown < self->n_projects)
    {
      GListModel *model = G_LIST_MODEL (self->ledger);
      guint n = g_list_model_get_n_items (model);

      shown_ids = g_ptr_array_new_full (n, g_free);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(ProcuraProjectRow) row = g_list_model_get_item (model, i);

          g_ptr_array_add (shown_ids, g_strdup (procura_project_row_get_id (row)));
        }
    }

  if (g_str_equal (procura_window_get_place (self), "project") && self->project_id != NULL)
    {
      project_id = self->project_id;
      project_title = procura_project_page_get_title (PROCURA_PROJECT_PAGE (self->project_page));
    }

  dialog = procura_export_dialog_new (GTK_WINDOW (self), self->store, self->n_projects,
                                      shown_ids, project_id, project_title);
  g_signal_connect_object (dialog, "exported", G_CALLBACK (exported_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The report of the place in view: the project's on its page, else the
 * district's. NULL: the district. */
static const char *
report_project (ProcuraWindow *self)
{
  if (g_str_equal (procura_window_get_place (self), "project"))
    return self->project_id;

  return NULL;
}

static void
set_printing (ProcuraWindow *self,
              gboolean       printing)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print", !printing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.print-report", !printing);

  if (printing)
    {
      AdwToast *toast = adw_toast_new (_("Preparing the report for printing…"));

      /* it goes when the print dialog comes */
      adw_toast_set_timeout (toast, 0);
      g_set_weak_pointer (&self->print_toast, toast);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  else if (self->print_toast != NULL)
    {
      adw_toast_dismiss (self->print_toast);
      g_clear_weak_pointer (&self->print_toast);
    }
}

static void
print_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);

  /* errors are shown by the print code itself */
  procura_print_report_finish (result, NULL);

  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    set_printing (self, FALSE);
}

static void
print_report (ProcuraWindow *self,
              const char    *project_id)
{
  g_autoptr(GError) error = NULL;

  if (ensure_store (self, &error) == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  /* reading and laying out the district's 20,000 projects takes seconds
   * in a worker: one report at a time, and say so meanwhile */
  set_printing (self, TRUE);
  procura_print_report_async (GTK_WINDOW (self), self->store, project_id, NULL, NULL, print_ready_cb, NULL);
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  print_report (self, report_project (self));
}

static void
print_report_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  const char *project_id = g_variant_get_string (parameter, NULL);

  print_report (PROCURA_WINDOW (widget), project_id[0] != '\0' ? project_id : NULL);
}

static void
report_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *path = user_data;
  g_autoptr(GError) error = NULL;
  ProcuraWindow *self;

  if (!PROCURA_IS_WINDOW (object))
    return;  /* the window closed meanwhile */

  self = PROCURA_WINDOW (object);

  if (!procura_print_report_finish (result, &error))
    {
      show_error_dialog (self, _("Could Not Save the Report"), error->message);
      return;
    }

  {
    g_autofree char *name = g_filename_display_name (path);
    /* Translators: a toast; %s is the file's full path */
    g_autofree char *message = g_strdup_printf (_("Saved to %s"), name);
    AdwToast *toast = adw_toast_new (message);

    adw_toast_set_timeout (toast, 6);
    adw_toast_overlay_add_toast (self->toast_overlay, toast);
  }
}

/* The end of "Export as PDF…": (project id or "" for the district, path) */
static void
save_report_pdf_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  const char *project_id = NULL;
  const char *path = NULL;

  g_variant_get (parameter, "(&s&s)", &project_id, &path);

  if (ensure_store (self, &error) == NULL)
    {
      show_error_dialog (self, _("Could Not Save the Report"), error->message);
      return;
    }

  procura_print_report_async (GTK_WINDOW (self), self->store,
                              project_id[0] != '\0' ? project_id : NULL, path,
                              NULL, report_saved_cb, g_strdup (path));
}

static void
pdf_chooser_response_cb (ProcuraWindow        *self,
                         int                   response,
                         GtkFileChooserNative *chooser)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        gtk_widget_activate_action (GTK_WIDGET (self), "win.save-report-pdf", "(ss)",
                                    self->pdf_project_id != NULL ? self->pdf_project_id : "", path);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->pdf_chooser);
}

/* A file name without the characters file systems refuse. */
static char *
file_name_for (const char *title)
{
  g_autofree char *name = g_strdup (title);

  g_strdelimit (name, "/\\:*?\"<>|", '-');

  return g_strconcat (name, ".pdf", NULL);
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  const char *project_id = report_project (self);
  GtkFileChooser *chooser;

  if (self->pdf_chooser != NULL)
    return;

  g_free (self->pdf_project_id);
  self->pdf_project_id = g_strdup (project_id);

  if (project_id != NULL)
    {
      const char *title = procura_project_page_get_title (PROCURA_PROJECT_PAGE (self->project_page));
      const char *code = procura_project_page_get_code (PROCURA_PROJECT_PAGE (self->project_page));
      g_autofree char *full = g_strdup_printf ("%s %s", code != NULL ? code : "", title != NULL ? title : "");

      name = file_name_for (g_strstrip (full));
    }
  else
    {
      g_autofree char *today = self->store != NULL ? procura_store_dup_today (self->store) : NULL;
      /* Translators: the file name of the district summary report; %s is the date */
      g_autofree char *title = g_strdup_printf (_("District Summary %s"), today != NULL ? today : "");

      name = file_name_for (g_strstrip (title));
    }

  self->pdf_chooser = gtk_file_chooser_native_new (project_id != NULL ? _("Export Report as PDF")
                                                                      : _("Export Summary as PDF"),
                                                   GTK_WINDOW (self),
                                                   GTK_FILE_CHOOSER_ACTION_SAVE,
                                                   _("_Export"),
                                                   _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->pdf_chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->pdf_chooser), TRUE);
  gtk_file_chooser_set_current_name (chooser, name);
  gtk_file_filter_set_name (filter, _("PDF Documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_pattern (filter, "*.pdf");
  gtk_file_chooser_add_filter (chooser, filter);

  g_signal_connect_object (self->pdf_chooser, "response",
                           G_CALLBACK (pdf_chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->pdf_chooser));
}

/* Parent class overrides */

static gboolean
procura_window_close_request (GtkWindow *window)
{
  ProcuraWindow *self = (ProcuraWindow *)window;

  save_window_state (self);

  return GTK_WINDOW_CLASS (procura_window_parent_class)->close_request (window);
}

/* A column view that has never been laid out makes rows for the first
 * 200 items of a model it is given (GTK 4.8): 2,000 cells, 100 ms, for a
 * ledger nobody looks at yet. So the column view gets the ledger once it
 * is shown and laid out: in the frame after its first. */
static gboolean
attach_ledger_view_cb (GtkWidget     *widget,
                       GdkFrameClock *frame_clock,
                       gpointer       user_data)
{
  ProcuraWindow *self = user_data;

  g_assert (PROCURA_IS_WINDOW (self));

  if (gtk_widget_get_height (widget) <= 0)
    return G_SOURCE_CONTINUE;

  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  return G_SOURCE_REMOVE;
}

static gboolean
first_frame_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  g_debug ("First frame drawn");

  return G_SOURCE_REMOVE;
}

static void
procura_window_constructed (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  G_OBJECT_CLASS (procura_window_parent_class)->constructed (object);

  self->constructed = TRUE;

  /* The filters and the sort order of the last window; after the store
   * is set, so that a restored agency shows its name. */
  bind_ledger_settings (self);

  gtk_widget_add_tick_callback (GTK_WIDGET (self), first_frame_cb, NULL, NULL);

  /* The ledger loads in the background while the dashboard shows;
   * without a store the error page says why. */
  load_ledger_async (self);
}

static void
procura_window_dispose (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  /* Somebody may still hold the ledger model: leave no pointer to us. */
  if (self->ledger != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ledger, self);
      self->ledger->match = NULL;
    }
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_WINDOW);

  if (self->import_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));
  g_clear_object (&self->import_chooser);
  if (self->pdf_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->pdf_chooser));
  g_clear_object (&self->pdf_chooser);

  g_clear_weak_pointer (&self->reload_toast);
  g_clear_weak_pointer (&self->print_toast);
  g_clear_object (&self->selection);
  g_clear_object (&self->slots);
  g_clear_object (&self->ledger);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (procura_window_parent_class)->dispose (object);
}

static void
procura_window_finalize (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  for (guint i = 0; i < N_FACETS; i++)
    {
      g_clear_pointer (&self->facets[i], g_free);
      g_clear_pointer (&self->facet_values[i], g_ptr_array_unref);
    }
  g_clear_pointer (&self->sort_column, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->search_key, g_free);
  g_clear_pointer (&self->search_terms, g_strfreev);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->project_id, g_free);
  g_clear_pointer (&self->previous_place, g_free);
  g_clear_pointer (&self->pdf_project_id, g_free);

  G_OBJECT_CLASS (procura_window_parent_class)->finalize (object);
}

static void
procura_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, procura_window_get_store (self));
      break;

    case PROP_PLACE:
      g_value_set_string (value, procura_window_get_place (self));
      break;

    case PROP_PROJECT_ID:
      g_value_set_string (value, procura_window_get_project_id (self));
      break;

    case PROP_SEARCH_TEXT:
      g_value_set_string (value, procura_window_get_search_text (self));
      break;

    case PROP_FILTER_YEAR:
    case PROP_FILTER_STREET:
    case PROP_FILTER_STATUS:
    case PROP_FILTER_CATEGORY:
    case PROP_FILTER_AGENCY:
      /* GSettings wants "" for "any" */
      g_value_set_string (value, self->facets[prop_id - PROP_FILTER_YEAR] != NULL ?
                                 self->facets[prop_id - PROP_FILTER_YEAR] : "");
      break;

    case PROP_FILTER_OVERDUE:
      g_value_set_boolean (value, self->filter_overdue);
      break;

    case PROP_SORT_COLUMN:
      g_value_set_string (value, self->sort_column != NULL ? self->sort_column : "");
      break;

    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;

    case PROP_LEDGER_MODEL:
      g_value_set_object (value, procura_window_get_ledger_model (self));
      break;

    case PROP_N_PROJECTS:
      g_value_set_uint (value, procura_window_get_n_projects (self));
      break;

    case PROP_N_SHOWN:
      g_value_set_uint (value, procura_window_get_n_shown (self));
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, procura_window_get_loading (self));
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, procura_window_get_error_message (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_window_set_store (self, g_value_get_object (value));
      break;

    case PROP_PLACE:
      procura_window_set_place (self, g_value_get_string (value));
      break;

    case PROP_SEARCH_TEXT:
      procura_window_set_search_text (self, g_value_get_string (value));
      break;

    case PROP_FILTER_YEAR:
    case PROP_FILTER_STREET:
    case PROP_FILTER_STATUS:
    case PROP_FILTER_CATEGORY:
    case PROP_FILTER_AGENCY:
      procura_window_set_facet (self, prop_id - PROP_FILTER_YEAR, g_value_get_string (value));
      break;

    case PROP_FILTER_OVERDUE:
      procura_window_set_filter_overdue (self, g_value_get_boolean (value));
      break;

    case PROP_SORT_COLUMN:
      procura_window_set_sort (self, g_value_get_string (value), self->sort_descending);
      break;

    case PROP_SORT_DESCENDING:
      procura_window_set_sort (self, self->sort_column, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* class_init and init */

static void
procura_window_class_init (ProcuraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  static const guint place_keys[] = { GDK_KEY_1, GDK_KEY_2, GDK_KEY_3 };

  object_class->constructed = procura_window_constructed;
  object_class->dispose = procura_window_dispose;
  object_class->finalize = procura_window_finalize;
  object_class->get_property = procura_window_get_property;
  object_class->set_property = procura_window_set_property;

  window_class->close_request = procura_window_close_request;

  /**
   * ProcuraWindow:store:
   *
   * The store shown. Setting it loads the ledger; when it is NULL the
   * window asks its ProcuraApplication for the store on reload.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:place:
   *
   * The place shown, by name: "dashboard", "ledger", "organizations" or
   * "project". Also the state of win.place.
   */
  properties [PROP_PLACE] =
    g_param_spec_string ("place", NULL, NULL,
                         "dashboard",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:project-id:
   *
   * The project of the project page, or NULL.
   */
  properties [PROP_PROJECT_ID] =
    g_param_spec_string ("project-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:search-text:
   *
   * The ledger search as typed. Setting it fills the search entry and
   * filters at once, without the entry's typing delay.
   */
  properties [PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:filter-year:
   * ProcuraWindow:filter-street:
   * ProcuraWindow:filter-status:
   * ProcuraWindow:filter-category:
   * ProcuraWindow:filter-agency:
   *
   * The ledger's filter bar: a budget year ("2026"), a street, a status
   * or category code, an agency id; "" shows all. Also win.filter-year
   * and so on, and kept in the ledger-filter-* settings.
   */
  for (guint i = 0; i < N_FACETS; i++)
    properties [PROP_FILTER_YEAR + i] =
      g_param_spec_string (facet_info[i].property, NULL, NULL,
                           "",
                           (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:filter-overdue:
   *
   * Whether the ledger shows only projects with an overdue milestone.
   */
  properties [PROP_FILTER_OVERDUE] =
    g_param_spec_boolean ("filter-overdue", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:sort-column:
   *
   * The column the ledger is sorted by ("code", "title", "agency",
   * "place", "value", "paid", "progress", "status", "next-due",
   * "grade"), or "" for the store's order. Follows header clicks.
   */
  properties [PROP_SORT_COLUMN] =
    g_param_spec_string ("sort-column", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:sort-descending:
   *
   * Whether the ledger is sorted in descending order.
   */
  properties [PROP_SORT_DESCENDING] =
    g_param_spec_boolean ("sort-descending", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:ledger-model:
   *
   * The ledger as shown, sorted and filtered; items are ProcuraProjectRow.
   */
  properties [PROP_LEDGER_MODEL] =
    g_param_spec_object ("ledger-model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:n-projects:
   *
   * The number of projects in the ledger.
   */
  properties [PROP_N_PROJECTS] =
    g_param_spec_uint ("n-projects", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:n-shown:
   *
   * The number of projects the filters and the search let through.
   */
  properties [PROP_N_SHOWN] =
    g_param_spec_uint ("n-shown", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:loading:
   *
   * Whether the ledger is being loaded in the background.
   */
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:error-message:
   *
   * Why the last load of the ledger failed, or NULL after a successful one.
   */
  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PROCURA_TYPE_PROJECT_ROW);
  g_type_ensure (PROCURA_TYPE_SYNC_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, new_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, empty_new_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, places_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, dashboard_bin);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, organizations_bin);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, project_bin);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, filter_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, year_drop);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, street_drop);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, status_drop);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, category_drop);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, agency_drop);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, clear_filters_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, ledger_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, code_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, title_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, agency_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, place_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, value_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, paid_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, progress_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, status_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, next_due_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, grade_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, no_results_page);
  gtk_widget_class_bind_template_callback (widget_class, setup_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_long_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_money_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_progress_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_due_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_title_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_agency_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_place_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_value_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_paid_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_progress_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_status_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_due_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_grade_cb);
  gtk_widget_class_bind_template_callback (widget_class, unbind_cell_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);

  gtk_widget_class_install_property_action (widget_class, "win.place", "place");
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.open-project", "s", open_project_action);
  gtk_widget_class_install_action (widget_class, "win.open-project-section", "(ss)", open_project_section_action);
  gtk_widget_class_install_action (widget_class, "win.new-project", NULL, new_project_action);
  gtk_widget_class_install_action (widget_class, "win.new-organization", NULL, new_organization_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  for (guint i = 0; i < N_FACETS; i++)
    {
      g_autofree char *action_name = g_strconcat ("win.", facet_info[i].property, NULL);

      gtk_widget_class_install_property_action (widget_class, action_name, facet_info[i].property);
    }
  gtk_widget_class_install_property_action (widget_class, "win.filter-overdue", "filter-overdue");
  gtk_widget_class_install_action (widget_class, "win.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "win.show-all-projects", NULL, show_all_projects_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.import-file", "s", import_file_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "win.print-report", "s", print_report_action);
  gtk_widget_class_install_action (widget_class, "win.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "win.save-report-pdf", "(ss)", save_report_pdf_action);

  for (guint i = 0; i < G_N_ELEMENTS (place_keys); i++)
    {
      gtk_widget_class_add_binding_action (widget_class, place_keys[i], GDK_ALT_MASK,
                                           "win.place", "s", sidebar_places[i]);
      gtk_widget_class_add_binding_action (widget_class, place_keys[i], GDK_CONTROL_MASK,
                                           "win.place", "s", sidebar_places[i]);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.new-organization", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.print", NULL);
}

static void
procura_window_init (ProcuraWindow *self)
{
  GtkSorter *view_sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->previous_place = g_strdup ("ledger");
  self->search_text = g_strdup ("");
  self->search_key = g_strdup ("");
  self->search_terms = g_new0 (char *, 1);

  /* Every column sorts with a comparison of its own (see the top) */
  for (guint i = 0; i < G_N_ELEMENTS (ledger_columns); i++)
    {
      g_autoptr(GtkSorter) sorter = NULL;

      self->column_sort_data[i].self = self;
      self->column_sort_data[i].index = i;
      sorter = GTK_SORTER (gtk_custom_sorter_new (column_sort_cb, &self->column_sort_data[i], NULL));
      gtk_column_view_column_set_sorter (LEDGER_COLUMN (self, i), sorter);
    }

  view_sorter = gtk_column_view_get_sorter (self->column_view);
  self->ledger = ledger_model_new (view_sorter, ledger_filter_func, self);
  self->slots = ledger_slots_new (self->ledger);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->slots)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view), attach_ledger_view_cb, self, NULL);

  g_signal_connect_object (self->ledger,
                           "items-changed",
                           G_CALLBACK (filter_items_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (view_sorter,
                           "changed",
                           G_CALLBACK (sorter_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);

  /* The filter bar */
  for (guint i = 0; i < N_FACETS; i++)
    {
      g_autoptr(GPtrArray) none = g_ptr_array_new ();

      set_facet_choices (self, i, none, none);
      g_signal_connect_object (facet_drop (self, i), "notify::selected",
                               G_CALLBACK (facet_selected_cb), self,
                               G_CONNECT_SWAPPED);
    }
  /* the flow box's children only hold the controls: no focus stops */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->filter_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);
  set_enum_facet_choices (self, FACET_STATUS);
  set_enum_facet_choices (self, FACET_CATEGORY);
  /* agencies are found by the distinctive part of their names */
  {
    g_autoptr(GtkListItemFactory) factory = procura_name_factory_new (30);
    g_autoptr(GtkExpression) search = procura_name_search_expression ();

    gtk_drop_down_set_expression (self->agency_drop, search);
    gtk_drop_down_set_factory (self->agency_drop, factory);
  }
  update_filter_actions (self);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  create_places (self);

  g_signal_connect_object (self->places_stack,
                           "notify::visible-child-name",
                           G_CALLBACK (places_visible_child_cb),
                           self,
                           G_CONNECT_SWAPPED);
  gtk_stack_set_visible_child_name (self->places_stack, "dashboard");
  gtk_list_box_select_row (self->sidebar_list, find_sidebar_row (self, "dashboard"));
  adw_leaflet_set_visible_child_name (self->leaflet, "content");

  self->settings = dup_settings ();
  restore_window_state (self);

  update_ledger_state (self);
}

/* What sync needs a person for is said once, as a toast (the header
 * bar's status keeps saying it). */
static void
sync_conflicts_cb (ProcuraWindow    *self,
                   GParamSpec       *pspec,
                   ProcuraSyncAgent *agent)
{
  guint n = procura_sync_agent_get_n_conflicts (agent);

  if (n > self->n_conflicts_seen)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("Sync: %u change could not be merged",
                                                          "Sync: %u changes could not be merged",
                                                          n - self->n_conflicts_seen),
                                                n - self->n_conflicts_seen);
      AdwToast *toast = adw_toast_new (title);

      adw_toast_set_button_label (toast, _("_Show"));
      adw_toast_set_action_name (toast, "app.conflicts");
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  self->n_conflicts_seen = n;
}

static void
sync_status_cb (ProcuraWindow    *self,
                GParamSpec       *pspec,
                ProcuraSyncAgent *agent)
{
  ProcuraSyncStatus status = procura_sync_agent_get_status (agent);
  AdwToast *toast;

  if (status == PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    {
      toast = adw_toast_new (_("Sync: the session has ended, log in again"));
      adw_toast_set_button_label (toast, _("_Log In"));
      adw_toast_set_action_name (toast, "app.account");
    }
  else if (status == PROCURA_SYNC_STATUS_FAILED)
    {
      /* toast titles are markup in libadwaita 1.2 */
      g_autofree char *error = g_markup_escape_text (procura_sync_agent_get_last_error (agent) != NULL
                                                     ? procura_sync_agent_get_last_error (agent) : "", -1);
      g_autofree char *title = g_strdup_printf (_("Sync failed: %s"), error);

      toast = adw_toast_new (title);
    }
  else
    return;

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Public API */

/* What the account may create decides what the window offers: an
 * auditor or an agency sees no "new project" at all (product.md §4; the
 * server refuses it anyway). */
static void
update_role_ui (ProcuraWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  const char *role = PROCURA_IS_APPLICATION (app) ? procura_application_get_role (PROCURA_APPLICATION (app)) : NULL;
  gboolean may_project = procura_permissions_may_manage_projects (role);
  gboolean may_organization = procura_permissions_may (role, "organization", PROCURA_OP_CREATE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-project", may_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", may_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import-file", may_project);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-organization", may_organization);
  gtk_widget_set_visible (self->new_button, may_project || may_organization);
  gtk_widget_set_visible (self->empty_new_button, may_project);
}

ProcuraWindow *
procura_window_new (ProcuraApplication *application)
{
  g_autoptr(GError) error = NULL;
  ProcuraWindow *self;
  ProcuraStore *store;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (application), NULL);

  store = procura_application_get_store (application, &error);
  self = g_object_new (PROCURA_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);

  if (store == NULL)
    show_load_error (self, error);

  update_role_ui (self);
  g_signal_connect_object (application, "notify::role", G_CALLBACK (update_role_ui),
                           self, G_CONNECT_SWAPPED);

  /* the sync state in the header bar; others' changes show up as they
   * arrive */
  {
    ProcuraSyncAgent *agent = procura_application_get_sync_agent (application);

    procura_sync_button_set_agent (self->sync_button, agent);
    if (agent != NULL)
      {
        self->n_conflicts_seen = procura_sync_agent_get_n_conflicts (agent);
        g_signal_connect_object (agent, "pulled", G_CALLBACK (procura_window_reload_async),
                                 self, G_CONNECT_SWAPPED);
        g_signal_connect_object (agent, "notify::n-conflicts", G_CALLBACK (sync_conflicts_cb),
                                 self, G_CONNECT_SWAPPED);
        g_signal_connect_object (agent, "notify::status", G_CALLBACK (sync_status_cb),
                                 self, G_CONNECT_SWAPPED);
      }
  }

  return self;
}

ProcuraStore *
procura_window_get_store (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->store;
}

void
procura_window_set_store (ProcuraWindow *self,
                          ProcuraStore  *store)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  set_places_store (self);

  if (self->constructed)
    load_ledger_async (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

void
procura_window_release_store (ProcuraWindow *self)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  /* a late answer of the load under way is not for the new store */
  self->load_serial++;

  procura_dashboard_set_store (PROCURA_DASHBOARD (self->dashboard), NULL);
  procura_project_page_set_store (PROCURA_PROJECT_PAGE (self->project_page), NULL);
  if (PROCURA_IS_ORGANIZATIONS_PAGE (self->organizations_page))
    procura_organizations_page_set_store (PROCURA_ORGANIZATIONS_PAGE (self->organizations_page), NULL);

  if (g_set_object (&self->store, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

const char *
procura_window_get_place (ProcuraWindow *self)
{
  const char *place = NULL;

  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  /* win.place reads this while the template is still being built */
  if (self->places_stack != NULL)
    place = gtk_stack_get_visible_child_name (self->places_stack);

  return place != NULL ? place : "dashboard";
}

void
procura_window_set_place (ProcuraWindow *self,
                          const char    *place)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (place != NULL);

  if (gtk_stack_get_child_by_name (self->places_stack, place) == NULL)
    {
      g_warning ("No place named “%s”", place);
      return;
    }

  if (g_str_equal (place, "project") && self->project_id == NULL)
    {
      g_debug ("No project to show");
      return;
    }

  /* place may be previous_place itself (win.go-back) */
  if (is_sidebar_place (place) && place != self->previous_place)
    {
      g_free (self->previous_place);
      self->previous_place = g_strdup (place);
    }

  /* notifies through places_visible_child_cb() */
  gtk_stack_set_visible_child_name (self->places_stack, place);

  /* on a narrow window, on from the sidebar to the place */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

void
procura_window_open_project (ProcuraWindow *self,
                             const char    *project_id)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (project_id != NULL);

  if (g_strcmp0 (project_id, self->project_id) != 0)
    {
      g_free (self->project_id);
      self->project_id = g_strdup (project_id);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROJECT_ID]);
    }

  show_project (self);
  procura_window_set_place (self, "project");
}

const char *
procura_window_get_project_id (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->project_id;
}

GtkWidget *
procura_window_get_place_widget (ProcuraWindow *self,
                                 const char    *place)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);
  g_return_val_if_fail (place != NULL, NULL);

  if (g_str_equal (place, "dashboard"))
    return self->dashboard;
  if (g_str_equal (place, "organizations"))
    return self->organizations_page;
  if (g_str_equal (place, "project"))
    return self->project_page;

  return gtk_stack_get_child_by_name (self->places_stack, place);
}

const char *
procura_window_get_search_text (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->search_text;
}

void
procura_window_set_search_text (ProcuraWindow *self,
                                const char    *search_text)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));

  if (search_text == NULL)
    search_text = "";

  apply_search (self, search_text);

  /* Replacing the text empties the entry first, and an empty search
   * entry reports at once: keep that transient state out of the filter. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), search_text) != 0)
    {
      g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search_text);
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
    }

  if (search_text[0] != '\0')
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
}

static void
procura_window_set_facet (ProcuraWindow *self,
                          Facet          facet,
                          const char    *value)
{
  GtkFilterChange change;

  g_assert (PROCURA_IS_WINDOW (self));
  g_assert (facet < N_FACETS);

  if (value != NULL && value[0] == '\0')
    value = NULL;

  if (facet == FACET_YEAR && value != NULL && atoi (value) <= 0)
    {
      g_debug ("Ignoring the year filter “%s”", value);
      value = NULL;
    }

  if (g_strcmp0 (value, self->facets[facet]) == 0)
    return;

  if (self->facets[facet] == NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (value == NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;

  g_free (self->facets[facet]);
  self->facets[facet] = g_strdup (value);
  if (facet == FACET_YEAR)
    self->filter_year = value != NULL ? atoi (value) : 0;

  sync_facet_drop (self, facet);
  ledger_model_refilter (self->ledger, change);
  update_filter_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FILTER_YEAR + facet]);
}

static void
procura_window_set_filter_overdue (ProcuraWindow *self,
                                   gboolean       filter_overdue)
{
  g_assert (PROCURA_IS_WINDOW (self));

  filter_overdue = !!filter_overdue;

  if (self->filter_overdue == filter_overdue)
    return;

  self->filter_overdue = filter_overdue;
  ledger_model_refilter (self->ledger,
                         filter_overdue ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
  update_filter_actions (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FILTER_OVERDUE]);
}

static void
procura_window_set_sort (ProcuraWindow *self,
                         const char    *column,
                         gboolean       descending)
{
  gboolean known = FALSE;

  g_assert (PROCURA_IS_WINDOW (self));

  if (column != NULL && column[0] == '\0')
    column = NULL;

  for (guint i = 0; column != NULL && i < G_N_ELEMENTS (ledger_columns); i++)
    known |= g_str_equal (column, ledger_columns[i].name);

  if (column != NULL && !known)
    {
      g_debug ("Ignoring the unknown sort column “%s”", column);
      column = NULL;
    }

  descending = !!descending;

  if (g_strcmp0 (column, self->sort_column) == 0 && descending == self->sort_descending)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (column, self->sort_column) != 0)
    {
      g_free (self->sort_column);
      self->sort_column = g_strdup (column);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SORT_COLUMN]);
    }

  if (descending != self->sort_descending)
    {
      self->sort_descending = descending;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SORT_DESCENDING]);
    }

  apply_sort (self);

  g_object_thaw_notify (G_OBJECT (self));
}

void
procura_window_get_ledger_filter (ProcuraWindow       *self,
                                  ProcuraLedgerFilter *filter)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (filter != NULL);

  memset (filter, 0, sizeof *filter);
  filter->status = self->facets[FACET_STATUS];
  filter->street = self->facets[FACET_STREET];
  filter->category = self->facets[FACET_CATEGORY];
  filter->agency = self->facets[FACET_AGENCY];
  filter->year = self->filter_year;
  filter->overdue_only = self->filter_overdue;
}

void
procura_window_clear_filters (ProcuraWindow *self)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < N_FACETS; i++)
    procura_window_set_facet (self, i, NULL);
  procura_window_set_filter_overdue (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

GListModel *
procura_window_get_ledger_model (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->ledger);
}

guint
procura_window_get_n_projects (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), 0);

  return self->n_projects;
}

guint
procura_window_get_n_shown (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), 0);

  return self->n_shown;
}

gboolean
procura_window_get_loading (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), FALSE);

  return self->loading;
}

const char *
procura_window_get_error_message (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->error_message;
}

gboolean
procura_window_reload (ProcuraWindow  *self,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  LedgerLoad *load;
  gint64 begin_time = g_get_monotonic_time ();

  g_return_val_if_fail (PROCURA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* this load supersedes one in the background */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_serial++;
  set_loading (self, FALSE);

  if (ensure_store (self, &local_error) != NULL)
    rows = procura_store_query_ledger (self->store, NULL, NULL, &local_error);

  if (rows == NULL)
    {
      show_load_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_debug ("Ledger of %u projects queried in %.1f ms",
           rows->len, (g_get_monotonic_time () - begin_time) / 1000.0);

  load = ledger_load_new (rows);
  apply_load (self, load);
  ledger_load_free (load);
  reload_places (self);

  return TRUE;
}

void
procura_window_reload_async (ProcuraWindow *self)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));

  load_ledger_async (self);
  reload_places (self);
}

void
procura_window_add_toast (ProcuraWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
