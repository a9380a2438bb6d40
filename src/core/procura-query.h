/* procura-query.h — read models over the store: the ledger, a project
 * with everything under it, history, statistics and the consistency check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* One line of the project ledger (项目台账) with its derived figures.
 * Plain data: the ledger holds 20,000 of them. */
typedef struct
{
  char   *id;
  char   *code;
  char   *title;
  char   *agency_id;
  char   *agency_name;
  char   *street;
  char   *community;
  char   *category;        /* enum code */
  char   *status;          /* enum code */
  char   *start_date;
  char   *end_date;
  char   *next_due;        /* earliest due date of a milestone not yet accepted, or NULL */
  char   *latest_grade;    /* grade of the latest final evaluation, or NULL */
  gint64  value;           /* contract value, fen */
  gint64  amended_value;   /* value + amendments, fen */
  gint64  paid;            /* fen */
  gint64  latest_score;    /* hundredths, -1 when no final evaluation */
  gint    budget_year;     /* 0 when unknown */
  guint   n_milestones;
  guint   n_accepted;
  guint   n_overdue;       /* as of the query's date */
} ProcuraLedgerRow;

/* progress in per mille of milestones accepted */
guint   procura_ledger_row_get_progress (const ProcuraLedgerRow *row);
gint64  procura_ledger_row_get_balance  (const ProcuraLedgerRow *row);
void    procura_ledger_row_free         (ProcuraLedgerRow       *row);

typedef struct
{
  const char *status;      /* enum code or NULL */
  const char *street;
  const char *community;
  const char *agency;      /* agency id, credit code or exact name */
  const char *category;
  int         year;        /* budget year, or year of the start date when no budget year; 0 = any */
  gboolean    overdue_only;
  const char *search;      /* substring of code, title, agency name or community */
} ProcuraLedgerFilter;

/* All live projects matching filter (NULL: all), ordered by code, with
 * figures as of `as_of` (NULL: the store's today). Array of
 * ProcuraLedgerRow*, freeing them. */
GPtrArray *procura_store_query_ledger   (ProcuraStore              *store,
                                         const ProcuraLedgerFilter *filter,
                                         const char                *as_of,
                                         GError                   **error);

/* A project and everything under it. */
typedef struct
{
  ProcuraRecord *project;
  ProcuraRecord *agency;        /* may be NULL */
  ProcuraRecord *buyer;         /* may be NULL */
  ProcuraRecord *grade_scheme;  /* may be NULL: the default scheme applies */
  GPtrArray     *amendments;
  GPtrArray     *milestones;
  GPtrArray     *payments;
  GPtrArray     *reports;
  GPtrArray     *attachments;
  GPtrArray     *evaluations;
  GPtrArray     *criteria;
  GPtrArray     *indicators;
  GPtrArray     *indicator_periods;
  GPtrArray     *activities;
  GPtrArray     *consultations;
} ProcuraProjectBundle;

ProcuraProjectBundle *procura_store_load_project (ProcuraStore          *store,
                                                  const char            *project_id,
                                                  GError               **error);
void                  procura_project_bundle_free (ProcuraProjectBundle *bundle);
/* The children array of the bundle for entity (NULL for project and
 * organizations). */
GPtrArray            *procura_project_bundle_get_children (ProcuraProjectBundle    *bundle,
                                                           const ProcuraEntityInfo *entity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraProjectBundle, procura_project_bundle_free)

/* One field change. */
typedef struct
{
  gint64  change_id;
  char   *mutation_id;
  char   *entity;
  char   *record_id;
  char   *project_id;
  char   *op;          /* insert, update, delete */
  char   *field;
  char   *old_value;   /* canonical text, NULL for null */
  char   *new_value;
  char   *actor;
  char   *device;
  char   *at;          /* UTC timestamp */
} ProcuraHistoryEntry;

void       procura_history_entry_free   (ProcuraHistoryEntry *entry);
/* History of a record; for a project, of the project and everything under
 * it. Newest first. Array of ProcuraHistoryEntry*. */
GPtrArray *procura_store_query_history  (ProcuraStore  *store,
                                         const char    *id,
                                         GError       **error);

/* Counts of live records per entity (plural name → count), plus
 * "history" (field changes) and "outbox" (writes waiting for sync). */
GHashTable *procura_store_query_stats   (ProcuraStore  *store,
                                         GError       **error);

/* SQLite integrity_check and foreign_key_check, then the domain
 * invariants (every record has its insert in history, each change its
 * history rows, money limits hold, workflow states are valid …).
 * Returns FALSE with the first problems listed in the error; problems
 * (may be NULL) receives every problem found as strings. */
gboolean    procura_store_check         (ProcuraStore  *store,
                                         GPtrArray     *problems,
                                         GError       **error);

G_END_DECLS
