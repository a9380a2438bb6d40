/* procura-dashboard-query.h — what the 工作台 (dashboard) shows, in one read:
 * the work that is due, overdue or waiting, the key figures and the data of
 * its charts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* Each list keeps at most this many items; its total counts them all. */
#define PROCURA_DASHBOARD_LIST_LIMIT        50
/* "Due in the next 7 days" */
#define PROCURA_DASHBOARD_WEEK_DAYS          7
/* How far ahead the second list of due milestones looks by default. */
#define PROCURA_DASHBOARD_DEFAULT_LEAD_DAYS 14

/* Open projects are those not closed (completed, terminated, cancelled),
 * as in the ledger: only their milestones are due or overdue. */
typedef enum
{
  /* milestones of open projects due before as_of and not accepted,
   * the longest overdue first */
  PROCURA_DASHBOARD_LIST_OVERDUE,
  /* milestones of open projects not accepted, due from as_of to
   * as_of + 7 days, soonest first */
  PROCURA_DASHBOARD_LIST_DUE_WEEK,
  /* the same, due after as_of + 7 days up to as_of + lead_days */
  PROCURA_DASHBOARD_LIST_DUE_LATER,
  /* reports submitted and not yet reviewed, the oldest submission first */
  PROCURA_DASHBOARD_LIST_REVIEW,
  /* payment tranches payable (condition met, not yet paid), by planned
   * date */
  PROCURA_DASHBOARD_LIST_PAYABLE,
  PROCURA_DASHBOARD_N_LISTS
} ProcuraDashboardListKind;

typedef struct
{
  char   *id;             /* the milestone, report or payment */
  char   *title;
  /* milestones: due date; reports: submitted_at (UTC timestamp);
   * payments: planned date (may be NULL) */
  char   *date;
  /* reports and payments: the title of their milestone, or NULL */
  char   *detail;
  gint64  amount;         /* payments: planned amount, fen; otherwise 0 */
  char   *project_id;
  char   *project_code;
  char   *project_title;
} ProcuraDashboardItem;

typedef struct
{
  GPtrArray *items;       /* ProcuraDashboardItem*, at most PROCURA_DASHBOARD_LIST_LIMIT */
  guint      total;       /* how many there are in all */
} ProcuraDashboardList;

/* One bar of a count chart. */
typedef struct
{
  const char *code;       /* static: an enum code, or "overdue" */
  const char *label;      /* static, translated */
  guint       count;
} ProcuraDashboardCount;

/* Contract value and paid of the active and completed projects of one
 * 街道 (street or town). */
typedef struct
{
  char   *street;         /* NULL for projects without a street */
  char   *label;          /* the street, or "District-wide" translated */
  guint   n_projects;
  gint64  value;          /* contract values plus amendments, fen */
  gint64  paid;           /* fen */
} ProcuraDashboardStreet;

typedef struct
{
  char                 *as_of;
  char                 *week_end;   /* last day of the DUE_WEEK list */
  char                 *lead_end;   /* last day of the DUE_LATER list */

  ProcuraDashboardList  lists[PROCURA_DASHBOARD_N_LISTS];

  /* Key figures. value, paid and balance cover the projects in progress
   * and completed: what the district has committed to. */
  guint                 n_projects;         /* live projects */
  guint                 n_active;           /* in progress */
  GArray               *project_statuses;   /* ProcuraDashboardCount, every status in workflow order */
  gint64                value;              /* contract values plus amendments, fen */
  gint64                paid;               /* fen */
  gint64                balance;            /* value − paid */

  /* Charts */
  GPtrArray            *streets;            /* ProcuraDashboardStreet*, by value, largest first */
  /* ProcuraDashboardCount of the milestones of open projects: planned,
   * submitted, accepted, returned, then overdue. An overdue milestone is
   * counted only as overdue, so the bars add up to the milestones. */
  GArray               *milestone_statuses;
} ProcuraDashboardData;

/* Everything the dashboard shows, as of `as_of` (NULL: the store's today).
 * lead_days: how far ahead due milestones are listed (0: the default,
 * PROCURA_DASHBOARD_DEFAULT_LEAD_DAYS); the first 7 of those days make
 * the DUE_WEEK list, the rest DUE_LATER. */
ProcuraDashboardData       *procura_store_query_dashboard           (ProcuraStore             *store,
                                                                     const char               *as_of,
                                                                     guint                     lead_days,
                                                                     GError                  **error) G_GNUC_WARN_UNUSED_RESULT;
void                        procura_dashboard_data_free             (ProcuraDashboardData     *data);
const ProcuraDashboardList *procura_dashboard_data_get_list         (const ProcuraDashboardData *data,
                                                                     ProcuraDashboardListKind  kind);
/* Count of projects in a status (an enum code); 0 for unknown codes. */
guint                       procura_dashboard_data_count_projects   (const ProcuraDashboardData *data,
                                                                     const char               *status);
/* Count of a bar of milestone_statuses ("planned" … "overdue"). */
guint                       procura_dashboard_data_count_milestones (const ProcuraDashboardData *data,
                                                                     const char               *code);

/* Stable names of the lists: "overdue", "due-week", "due-later",
 * "review", "payable". */
const char                 *procura_dashboard_list_kind_to_string   (ProcuraDashboardListKind  kind);
/* FALSE for an unknown name. */
gboolean                    procura_dashboard_list_kind_from_string (const char               *name,
                                                                     ProcuraDashboardListKind *out_kind);

void                        procura_dashboard_item_free             (ProcuraDashboardItem     *item);
void                        procura_dashboard_street_free           (ProcuraDashboardStreet   *street);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraDashboardData, procura_dashboard_data_free)

G_END_DECLS
