/* procura-project-row.c
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

#define G_LOG_DOMAIN "procura-project-row"

#include "config.h"

#include <string.h>

#include "procura-project-row.h"
#include "procura-schema.h"

/* The ledger holds up to tens of thousands of these: keep them small and
 * compute anything derived (place, search text, status rank) lazily. */
struct _ProcuraProjectRow
{
  GObject           parent_instance;

  ProcuraLedgerRow *row;
  char             *place;
  char             *search_text;
  /* collation keys for sorting, made on first use */
  char             *title_key;
  char             *agency_key;
  char             *place_key;
  int               status_rank;
};

G_DEFINE_FINAL_TYPE (ProcuraProjectRow, procura_project_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CODE,
  PROP_TITLE,
  PROP_AGENCY_NAME,
  PROP_STREET,
  PROP_COMMUNITY,
  PROP_PLACE,
  PROP_CATEGORY,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_NEXT_DUE,
  PROP_OVERDUE,
  PROP_N_OVERDUE,
  PROP_GRADE,
  PROP_SCORE,
  PROP_VALUE,
  PROP_AMENDED_VALUE,
  PROP_PAID,
  PROP_BALANCE,
  PROP_PROGRESS,
  PROP_BUDGET_YEAR,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const ProcuraFieldInfo *
status_field (void)
{
  static const ProcuraFieldInfo *field;

  if (field == NULL)
    field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status");

  return field;
}

static int
status_rank (ProcuraProjectRow *self)
{
  g_assert (PROCURA_IS_PROJECT_ROW (self));

  if (self->status_rank < 0)
    {
      const ProcuraFieldInfo *field = status_field ();
      int rank = G_MAXINT;

      if (field != NULL && field->enum_values != NULL && self->row->status != NULL)
        {
          for (int i = 0; field->enum_values[i].code != NULL; i++)
            {
              if (strcmp (field->enum_values[i].code, self->row->status) == 0)
                {
                  rank = i;
                  break;
                }
            }
        }

      self->status_rank = rank;
    }

  return self->status_rank;
}

static void
append_folded (GString    *str,
               const char *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL || text[0] == '\0')
    return;

  folded = g_utf8_casefold (text, -1);
  g_string_append (str, folded);
  /* A separator no search term can contain, so that terms never match
   * across two fields. */
  g_string_append_c (str, '\n');
}

static const char *
get_search_text (ProcuraProjectRow *self)
{
  g_assert (PROCURA_IS_PROJECT_ROW (self));

  if (self->search_text == NULL)
    {
      GString *str = g_string_new (NULL);

      append_folded (str, self->row->code);
      append_folded (str, self->row->title);
      append_folded (str, self->row->agency_name);
      append_folded (str, self->row->street);
      append_folded (str, self->row->community);

      self->search_text = g_string_free (str, FALSE);
    }

  return self->search_text;
}

static void
procura_project_row_finalize (GObject *object)
{
  ProcuraProjectRow *self = (ProcuraProjectRow *)object;

  g_clear_pointer (&self->row, procura_ledger_row_free);
  g_clear_pointer (&self->place, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->title_key, g_free);
  g_clear_pointer (&self->agency_key, g_free);
  g_clear_pointer (&self->place_key, g_free);

  G_OBJECT_CLASS (procura_project_row_parent_class)->finalize (object);
}

static void
procura_project_row_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ProcuraProjectRow *self = PROCURA_PROJECT_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, procura_project_row_get_id (self));
      break;

    case PROP_CODE:
      g_value_set_string (value, procura_project_row_get_code (self));
      break;

    case PROP_TITLE:
      g_value_set_string (value, procura_project_row_get_title (self));
      break;

    case PROP_AGENCY_NAME:
      g_value_set_string (value, procura_project_row_get_agency_name (self));
      break;

    case PROP_STREET:
      g_value_set_string (value, procura_project_row_get_street (self));
      break;

    case PROP_COMMUNITY:
      g_value_set_string (value, procura_project_row_get_community (self));
      break;

    case PROP_PLACE:
      g_value_set_string (value, procura_project_row_get_place (self));
      break;

    case PROP_CATEGORY:
      g_value_set_string (value, procura_project_row_get_category (self));
      break;

    case PROP_STATUS:
      g_value_set_string (value, procura_project_row_get_status (self));
      break;

    case PROP_STATUS_LABEL:
      g_value_set_string (value, procura_project_row_get_status_label (self));
      break;

    case PROP_NEXT_DUE:
      g_value_set_string (value, procura_project_row_get_next_due (self));
      break;

    case PROP_OVERDUE:
      g_value_set_boolean (value, procura_project_row_get_overdue (self));
      break;

    case PROP_N_OVERDUE:
      g_value_set_uint (value, procura_project_row_get_n_overdue (self));
      break;

    case PROP_GRADE:
      g_value_set_string (value, procura_project_row_get_grade (self));
      break;

    case PROP_SCORE:
      g_value_set_int64 (value, procura_project_row_get_score (self));
      break;

    case PROP_VALUE:
      g_value_set_int64 (value, procura_project_row_get_value (self));
      break;

    case PROP_AMENDED_VALUE:
      g_value_set_int64 (value, procura_project_row_get_amended_value (self));
      break;

    case PROP_PAID:
      g_value_set_int64 (value, procura_project_row_get_paid (self));
      break;

    case PROP_BALANCE:
      g_value_set_int64 (value, procura_project_row_get_balance (self));
      break;

    case PROP_PROGRESS:
      g_value_set_uint (value, procura_project_row_get_progress (self));
      break;

    case PROP_BUDGET_YEAR:
      g_value_set_int (value, procura_project_row_get_budget_year (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_project_row_class_init (ProcuraProjectRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = procura_project_row_finalize;
  object_class->get_property = procura_project_row_get_property;

#define STRING_PROPERTY(id, name) \
  properties [id] = g_param_spec_string (name, NULL, NULL, NULL, \
                                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS))
#define MONEY_PROPERTY(id, name) \
  properties [id] = g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0, \
                                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS))

  STRING_PROPERTY (PROP_ID, "id");
  STRING_PROPERTY (PROP_CODE, "code");
  STRING_PROPERTY (PROP_TITLE, "title");
  STRING_PROPERTY (PROP_AGENCY_NAME, "agency-name");
  STRING_PROPERTY (PROP_STREET, "street");
  STRING_PROPERTY (PROP_COMMUNITY, "community");
  /* "street / community", or whichever of the two is known */
  STRING_PROPERTY (PROP_PLACE, "place");
  /* enum code */
  STRING_PROPERTY (PROP_CATEGORY, "category");
  /* enum code */
  STRING_PROPERTY (PROP_STATUS, "status");
  /* translated label of the status */
  STRING_PROPERTY (PROP_STATUS_LABEL, "status-label");
  /* "YYYY-MM-DD" of the earliest milestone not accepted yet, or NULL */
  STRING_PROPERTY (PROP_NEXT_DUE, "next-due");
  /* grade of the latest final evaluation, or NULL */
  STRING_PROPERTY (PROP_GRADE, "grade");

  /* all money in fen */
  MONEY_PROPERTY (PROP_VALUE, "value");
  MONEY_PROPERTY (PROP_AMENDED_VALUE, "amended-value");
  MONEY_PROPERTY (PROP_PAID, "paid");
  MONEY_PROPERTY (PROP_BALANCE, "balance");

#undef STRING_PROPERTY
#undef MONEY_PROPERTY

  properties [PROP_OVERDUE] =
    g_param_spec_boolean ("overdue", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_N_OVERDUE] =
    g_param_spec_uint ("n-overdue", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* hundredths of a point, -1 without a final evaluation */
  properties [PROP_SCORE] =
    g_param_spec_int64 ("score", NULL, NULL, -1, G_MAXINT64, -1,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /* per mille of milestones accepted */
  properties [PROP_PROGRESS] =
    g_param_spec_uint ("progress", NULL, NULL, 0, 1000, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_BUDGET_YEAR] =
    g_param_spec_int ("budget-year", NULL, NULL, 0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
procura_project_row_init (ProcuraProjectRow *self)
{
  self->status_rank = -1;
}

ProcuraProjectRow *
procura_project_row_new (ProcuraLedgerRow *row)
{
  ProcuraProjectRow *self;

  g_return_val_if_fail (row != NULL, NULL);

  self = g_object_new (PROCURA_TYPE_PROJECT_ROW, NULL);
  self->row = row;

  return self;
}

const ProcuraLedgerRow *
procura_project_row_get_ledger_row (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row;
}

const char *
procura_project_row_get_id (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->id;
}

const char *
procura_project_row_get_code (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->code;
}

const char *
procura_project_row_get_title (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->title;
}

const char *
procura_project_row_get_agency_name (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->agency_name;
}

const char *
procura_project_row_get_street (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->street;
}

const char *
procura_project_row_get_community (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->community;
}

const char *
procura_project_row_get_place (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  if (self->place == NULL)
    {
      const char *street = self->row->street;
      const char *community = self->row->community;
      gboolean has_street = street != NULL && street[0] != '\0';
      gboolean has_community = community != NULL && community[0] != '\0';

      if (has_street && has_community)
        self->place = g_strconcat (street, " / ", community, NULL);
      else if (has_street)
        self->place = g_strdup (street);
      else if (has_community)
        self->place = g_strdup (community);
      else
        self->place = g_strdup ("");
    }

  return self->place;
}

const char *
procura_project_row_get_category (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->category;
}

const char *
procura_project_row_get_status (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->status;
}

const char *
procura_project_row_get_status_label (ProcuraProjectRow *self)
{
  const ProcuraFieldInfo *field;

  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  if (self->row->status == NULL)
    return "";

  if ((field = status_field ()) == NULL)
    return self->row->status;

  return procura_field_enum_label (field, self->row->status);
}

const char *
procura_project_row_get_next_due (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->next_due;
}

const char *
procura_project_row_get_grade (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), NULL);

  return self->row->latest_grade;
}

gint64
procura_project_row_get_value (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return self->row->value;
}

gint64
procura_project_row_get_amended_value (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return self->row->amended_value;
}

gint64
procura_project_row_get_paid (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return self->row->paid;
}

gint64
procura_project_row_get_balance (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return procura_ledger_row_get_balance (self->row);
}

gint64
procura_project_row_get_score (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), -1);

  return self->row->latest_score;
}

guint
procura_project_row_get_progress (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return procura_ledger_row_get_progress (self->row);
}

guint
procura_project_row_get_n_overdue (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return self->row->n_overdue;
}

gboolean
procura_project_row_get_overdue (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), FALSE);

  return self->row->n_overdue > 0;
}

int
procura_project_row_get_budget_year (ProcuraProjectRow *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  return self->row->budget_year;
}

gboolean
procura_project_row_matches (ProcuraProjectRow  *self,
                             const char * const *folded_terms)
{
  const char *haystack;

  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), FALSE);

  if (folded_terms == NULL || folded_terms[0] == NULL)
    return TRUE;

  haystack = get_search_text (self);

  for (guint i = 0; folded_terms[i] != NULL; i++)
    {
      if (strstr (haystack, folded_terms[i]) == NULL)
        return FALSE;
    }

  return TRUE;
}

int
procura_project_row_compare_status (gconstpointer a,
                                    gconstpointer b,
                                    gpointer      user_data)
{
  int rank_a = status_rank (PROCURA_PROJECT_ROW ((gpointer)a));
  int rank_b = status_rank (PROCURA_PROJECT_ROW ((gpointer)b));

  return (rank_a > rank_b) - (rank_a < rank_b);
}

int
procura_project_row_compare_next_due (gconstpointer a,
                                      gconstpointer b,
                                      gpointer      user_data)
{
  const char *due_a = PROCURA_PROJECT_ROW ((gpointer)a)->row->next_due;
  const char *due_b = PROCURA_PROJECT_ROW ((gpointer)b)->row->next_due;

  if (due_a == NULL || due_b == NULL)
    return (due_a == NULL) - (due_b == NULL);

  /* ISO dates compare as strings */
  return strcmp (due_a, due_b);
}

int
procura_project_row_compare_score (gconstpointer a,
                                   gconstpointer b,
                                   gpointer      user_data)
{
  gint64 score_a = PROCURA_PROJECT_ROW ((gpointer)a)->row->latest_score;
  gint64 score_b = PROCURA_PROJECT_ROW ((gpointer)b)->row->latest_score;

  if (score_a < 0 || score_b < 0)
    return (score_a < 0) - (score_b < 0);

  return (score_a > score_b) - (score_a < score_b);
}

int
procura_project_row_get_year (ProcuraProjectRow *self)
{
  const char *start;

  g_return_val_if_fail (PROCURA_IS_PROJECT_ROW (self), 0);

  /* as procura_store_query_ledger() filters: the budget year, else the
   * year of the start date */
  if (self->row->budget_year != 0)
    return self->row->budget_year;

  start = self->row->start_date;
  if (start != NULL && g_ascii_isdigit (start[0]) && g_ascii_isdigit (start[1]) &&
      g_ascii_isdigit (start[2]) && g_ascii_isdigit (start[3]))
    return (start[0] - '0') * 1000 + (start[1] - '0') * 100 + (start[2] - '0') * 10 + (start[3] - '0');

  return 0;
}

void
procura_project_row_prepare (ProcuraProjectRow *self)
{
  g_return_if_fail (PROCURA_IS_PROJECT_ROW (self));

  get_search_text (self);
  procura_project_row_get_place (self);
  status_rank (self);
}

/* Sorting: the ledger sorts 20,000 rows on every click of a header, so
 * compare plain fields, and text by collation keys made once per row. */

static const char *
collate_key (char       **key,
             const char  *text)
{
  if (*key == NULL)
    *key = g_utf8_collate_key (text != NULL ? text : "", -1);

  return *key;
}

static int
compare_int64 (gint64 a,
               gint64 b)
{
  return (a > b) - (a < b);
}

int
procura_project_row_compare_code (gconstpointer a,
                                  gconstpointer b,
                                  gpointer      user_data)
{
  const ProcuraProjectRow *row_a = a;
  const ProcuraProjectRow *row_b = b;

  return strcmp (row_a->row->code, row_b->row->code);
}

int
procura_project_row_compare_title (gconstpointer a,
                                   gconstpointer b,
                                   gpointer      user_data)
{
  ProcuraProjectRow *row_a = (ProcuraProjectRow *)a;
  ProcuraProjectRow *row_b = (ProcuraProjectRow *)b;

  return strcmp (collate_key (&row_a->title_key, row_a->row->title),
                 collate_key (&row_b->title_key, row_b->row->title));
}

int
procura_project_row_compare_agency (gconstpointer a,
                                    gconstpointer b,
                                    gpointer      user_data)
{
  ProcuraProjectRow *row_a = (ProcuraProjectRow *)a;
  ProcuraProjectRow *row_b = (ProcuraProjectRow *)b;

  return strcmp (collate_key (&row_a->agency_key, row_a->row->agency_name),
                 collate_key (&row_b->agency_key, row_b->row->agency_name));
}

int
procura_project_row_compare_place (gconstpointer a,
                                   gconstpointer b,
                                   gpointer      user_data)
{
  ProcuraProjectRow *row_a = (ProcuraProjectRow *)a;
  ProcuraProjectRow *row_b = (ProcuraProjectRow *)b;

  return strcmp (collate_key (&row_a->place_key, procura_project_row_get_place (row_a)),
                 collate_key (&row_b->place_key, procura_project_row_get_place (row_b)));
}

int
procura_project_row_compare_value (gconstpointer a,
                                   gconstpointer b,
                                   gpointer      user_data)
{
  return compare_int64 (((const ProcuraProjectRow *)a)->row->amended_value,
                        ((const ProcuraProjectRow *)b)->row->amended_value);
}

int
procura_project_row_compare_paid (gconstpointer a,
                                  gconstpointer b,
                                  gpointer      user_data)
{
  return compare_int64 (((const ProcuraProjectRow *)a)->row->paid,
                        ((const ProcuraProjectRow *)b)->row->paid);
}

int
procura_project_row_compare_progress (gconstpointer a,
                                      gconstpointer b,
                                      gpointer      user_data)
{
  return compare_int64 (procura_ledger_row_get_progress (((const ProcuraProjectRow *)a)->row),
                        procura_ledger_row_get_progress (((const ProcuraProjectRow *)b)->row));
}
