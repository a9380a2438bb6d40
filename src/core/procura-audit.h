/* procura-audit.h — the audit log's hash chain, shared by server and client
 *
 * hash_n = SHA-256 (0x00 ‖ hash_{n-1} ‖ canonical (entry_n)), hash_0 = 32
 * zero bytes (docs/PROTOCOL.md, Audit log). `procura-server audit verify`
 * and the desktop app's audit window run the same verifier over the
 * entries in storage order, so they name the same damage.
 *
 * The client side also fetches the log: GET /v1/audit page by page in a
 * worker thread (procura_audit_fetch_async).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <glib-object.h>

G_BEGIN_DECLS

/* One audit entry as the chain hashes it; strings may be NULL. */
typedef struct
{
  gint64      seq;
  const char *at;
  const char *actor;
  const char *action;
  const char *entity;
  const char *id;
  const char *mutation_id;
  const char *status;
  const char *detail;
} ProcuraAuditEntry;

typedef enum
{
  PROCURA_AUDIT_OK,
  PROCURA_AUDIT_ALTERED,
  PROCURA_AUDIT_REMOVED,
  PROCURA_AUDIT_INSERTED,
  PROCURA_AUDIT_REORDERED,
  PROCURA_AUDIT_TRUNCATED,  /* the client: an entry checked before is gone */
} ProcuraAuditProblem;

typedef struct
{
  ProcuraAuditProblem problem;
  gint64              n_entries;   /* entries checked and intact */
  gint64              bad_seq;     /* the entry named by the problem */
  gint64              position;    /* its place in the log, counted from 1 */
} ProcuraAuditReport;

/* "intact", "altered", "removed", "inserted", "reordered" (not translated:
 * the command line and logs) */
const char *procura_audit_problem_to_string (ProcuraAuditProblem problem);

/* canonical(entry) without whitespace, members in the fixed order */
void procura_audit_canonical (GString                 *out,
                              const ProcuraAuditEntry *entry);
/* hash = SHA-256 (0x00 ‖ prev ‖ canonical) */
void procura_audit_hash      (const guint8            *prev,
                              const ProcuraAuditEntry *entry,
                              GString                 *scratch,
                              guint8                   out[32]);
/* The same with a checksum the caller keeps, for long runs. */
void procura_audit_hash_with (GChecksum               *checksum,
                              const guint8            *prev,
                              const ProcuraAuditEntry *entry,
                              GString                 *scratch,
                              guint8                   out[32]);

/* ---- verification ------------------------------------------------------ */

/* Fed the entries in storage order with their stored hashes, one at a
 * time, it recomputes the chain; at the first entry that does not fit it
 * notes which sequence numbers decide what kind of damage it is, and
 * keeps counting those over the rest of the log (a number missing from
 * the whole log was removed, one found twice was inserted, one out of
 * place was moved, a hash that does not match content in its right place
 * was altered). Memory stays constant however long the log is. */
typedef struct _ProcuraAuditVerifier ProcuraAuditVerifier;

ProcuraAuditVerifier *procura_audit_verifier_new    (void);
void                  procura_audit_verifier_free   (ProcuraAuditVerifier    *self);
/* stored_hash: the 32 bytes kept with the entry (NULL or another length
 * when missing). */
void                  procura_audit_verifier_add    (ProcuraAuditVerifier    *self,
                                                     const ProcuraAuditEntry *entry,
                                                     const guint8            *stored_hash,
                                                     gsize                    stored_len);
/* TRUE once a problem was found (the rest only needs the numbers). */
gboolean              procura_audit_verifier_found  (ProcuraAuditVerifier    *self);
/* The verdict over everything added. */
void                  procura_audit_verifier_finish (ProcuraAuditVerifier    *self,
                                                     ProcuraAuditReport      *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraAuditVerifier, procura_audit_verifier_free)

/* The report as a sentence for people (translated), e.g. "The log is
 * intact: 1,234 entries" or "Entry 1234 was altered". */
char *procura_audit_report_describe (const ProcuraAuditReport *report);

/* ---- the log as the server serves it ------------------------------------ */

/* One entry of GET /v1/audit, owned strings; hash as 64 hex digits. */
typedef struct
{
  gint64  seq;
  char   *at;
  char   *actor;
  char   *action;
  char   *entity;
  char   *id;
  char   *mutation_id;
  char   *status;
  char   *detail;
  char   *hash;
} ProcuraAuditItem;

void procura_audit_item_free (ProcuraAuditItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraAuditItem, procura_audit_item_free)

/* The entries of one page's JSON body appended to items (ProcuraAuditItem)
 * with the page's cursor and has_more. FALSE with an error naming the
 * member when the body is not such a page. */
gboolean procura_audit_parse_page (const char  *body,
                                   gsize        length,
                                   GPtrArray   *items,
                                   char       **out_next,
                                   gboolean    *out_has_more,
                                   GError     **error);

/* Verifies items (ProcuraAuditItem, in the order served). */
void procura_audit_verify_items (GPtrArray          *items,
                                 ProcuraAuditReport *report);

/* Called in the caller's main context after each page: how many entries
 * have been read and verified so far. */
typedef void (*ProcuraAuditProgressFunc) (gint64   n_read,
                                          gpointer target);

/* The whole log fetched from the account's server (account.json of
 * data_dir: server URL and token), page after page, and verified as the
 * pages arrive, in a worker thread. Only the latest max_kept entries are
 * kept for showing (0: all), so that memory stays bounded for a log of
 * millions; verification covers every entry. progress (may be NULL) gets
 * progress_target (a GObject, kept alive meanwhile) and is not called
 * once cancellable is cancelled. Errors are PROCURA_SYNC_ERROR:
 * NOT_LOGGED_IN without an account, UNAUTHORIZED (401), FORBIDDEN (403),
 * UNAVAILABLE (network, 5xx), PROTOCOL (an answer that is not a page),
 * REFUSED otherwise; or G_IO_ERROR_CANCELLED. */
void       procura_audit_fetch_async  (const char                *data_dir,
                                       guint                      max_kept,
                                       ProcuraAuditProgressFunc   progress,
                                       GObject                   *progress_target,
                                       GCancellable              *cancellable,
                                       GAsyncReadyCallback        callback,
                                       gpointer                   user_data);
/* Returns the entries kept (ProcuraAuditItem) in the order served, the
 * verification's report and how many entries were read in all. */
GPtrArray *procura_audit_fetch_finish (GAsyncResult              *result,
                                       ProcuraAuditReport        *report,
                                       gint64                    *out_n_read,
                                       GError                   **error);

G_END_DECLS
