/* procura-server-storage.h — what the server keeps, behind one interface
 *
 * The HTTP layer and the command line speak only to this interface; SQL
 * stays in the backends. The SQLite backend keeps its tables in the
 * store's own database so that accounts, idempotency rows, conflicts and
 * audit entries commit in the same transaction as the records they are
 * about. A PostgreSQL backend is to implement the same operations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "procura-audit.h"

G_BEGIN_DECLS

#define PROCURA_SERVER_ERROR (procura_server_error_quark ())

/* Each code maps to one HTTP status and error code of PROTOCOL.md. */
typedef enum
{
  PROCURA_SERVER_ERROR_BAD_REQUEST,   /* 400 bad_request */
  PROCURA_SERVER_ERROR_UNAUTHORIZED,  /* 401 unauthorized */
  PROCURA_SERVER_ERROR_FORBIDDEN,     /* 403 forbidden */
  PROCURA_SERVER_ERROR_NOT_FOUND,     /* 404 not_found */
  PROCURA_SERVER_ERROR_KEY_IN_FLIGHT, /* 409 key_in_flight */
  PROCURA_SERVER_ERROR_KEY_REUSED,    /* 422 key_reused */
  PROCURA_SERVER_ERROR_INVALID,       /* a refused account operation (CLI) */
  PROCURA_SERVER_ERROR_EXISTS,        /* an account name that is taken (CLI) */
  PROCURA_SERVER_ERROR_INTERNAL,      /* 500 internal */
} ProcuraServerError;

GQuark procura_server_error_quark (void);

typedef enum
{
  PROCURA_ROLE_ADMIN,
  PROCURA_ROLE_OFFICER,
  PROCURA_ROLE_AGENCY,
  PROCURA_ROLE_AUDITOR,
} ProcuraRole;

const char *procura_role_to_string   (ProcuraRole  role);
gboolean    procura_role_from_string (const char  *text,
                                      ProcuraRole *out_role);

typedef struct
{
  char        *name;
  ProcuraRole  role;
  char        *org_uscc;       /* agency accounts: the organization's USCC */
  gboolean     disabled;
  char        *password_hash;  /* crypto_pwhash_str() output */
} ProcuraServerUser;

void procura_server_user_free (ProcuraServerUser *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraServerUser, procura_server_user_free)

/* ProcuraAuditEntry, ProcuraAuditReport and the chain: procura-audit.h,
 * shared with the desktop app's verifier. */

/* A resumable blob upload (PROTOCOL.md, Blobs): the bytes received so far
 * are in <data-dir>/uploads/<id>; offset is how many of them count. */
typedef struct
{
  char   *id;
  char   *username;
  char   *sha256;
  gint64  size;
  gint64  offset;
} ProcuraServerUpload;

void procura_server_upload_free (ProcuraServerUpload *upload);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraServerUpload, procura_server_upload_free)

/* What a push answers: an HTTP status and a JSON body. */
typedef struct
{
  guint  status;
  char  *body;
} ProcuraPushAnswer;

typedef struct _ProcuraServerStorage ProcuraServerStorage;

typedef struct
{
  void               (*free)             (ProcuraServerStorage *self);

  /* accounts */
  gboolean           (*user_add)         (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          GError                  **error);
  ProcuraServerUser *(*user_get)         (ProcuraServerStorage     *self,
                                          const char               *name,
                                          GError                  **error);
  GPtrArray         *(*user_list)        (ProcuraServerStorage     *self,
                                          GError                  **error);
  gboolean           (*user_set_disabled) (ProcuraServerStorage    *self,
                                           const char              *name,
                                           gboolean                 disabled,
                                           GError                 **error);
  gboolean           (*user_set_password) (ProcuraServerStorage    *self,
                                           const char              *name,
                                           const char              *password_hash,
                                           GError                 **error);
  gboolean           (*user_revoke_tokens) (ProcuraServerStorage   *self,
                                            const char             *name,
                                            GError                **error);

  /* bearer tokens, kept as their SHA-256 */
  gboolean           (*token_add)        (ProcuraServerStorage     *self,
                                          const char               *name,
                                          const guint8             *token_hash,
                                          gint64                    expires_at,
                                          GError                  **error);
  /* The live account a valid token belongs to; NULL (no error) when the
   * token is unknown, expired or revoked, or the account disabled. */
  ProcuraServerUser *(*token_lookup)     (ProcuraServerStorage     *self,
                                          const guint8             *token_hash,
                                          gint64                    now,
                                          GError                  **error);
  gboolean           (*token_revoke)     (ProcuraServerStorage     *self,
                                          const guint8             *token_hash,
                                          GError                  **error);

  /* POST /v1/push: idempotency, every mutation, their audit entries and
   * the stored answer in one transaction. mutations is the validated
   * "mutations" array. */
  gboolean           (*push)             (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          const char               *device,
                                          const char               *idempotency_key,
                                          const char               *body_sha256,
                                          JsonArray                *mutations,
                                          ProcuraPushAnswer        *answer,
                                          GError                  **error);

  /* GET /v1/changes: the JSON answer */
  char              *(*changes)          (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          gint64                    since,
                                          guint                     limit,
                                          GError                  **error);

  /* GET /v1/conflicts: the open conflicts the account may see */
  char              *(*conflicts)        (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          GError                  **error);

  /* POST /v1/conflicts/{id}/resolve: keep is "server" or "yours"; the
   * JSON answer. NOT_FOUND, FORBIDDEN or BAD_REQUEST (a refused value,
   * with the rule's message) otherwise. */
  char              *(*resolve_conflict) (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          gint64                    conflict_id,
                                          const char               *keep,
                                          GError                  **error);

  /* audit log */
  gboolean           (*audit_append)     (ProcuraServerStorage     *self,
                                          const ProcuraAuditEntry  *entry,
                                          GError                  **error);
  char              *(*audit_read)       (ProcuraServerStorage     *self,
                                          gint64                    since,
                                          guint                     limit,
                                          GError                  **error);
  gboolean           (*audit_verify)     (ProcuraServerStorage     *self,
                                          ProcuraAuditReport       *report,
                                          GError                  **error);

  /* blobs: the directory whose blobs/ and uploads/ hold the files */
  const char        *(*files_dir)        (ProcuraServerStorage     *self);
  /* TRUE when a live attachment the account may see references the blob
   * (agency accounts: attachments of their own projects) */
  gboolean           (*blob_readable)    (ProcuraServerStorage     *self,
                                          const ProcuraServerUser  *user,
                                          const char               *sha256,
                                          gboolean                 *out_readable,
                                          GError                  **error);
  gboolean           (*upload_add)       (ProcuraServerStorage       *self,
                                          const ProcuraServerUpload  *upload,
                                          GError                    **error);
  /* by id, or (id NULL) the account's unfinished upload of sha256;
   * NULL with NOT_FOUND when there is none */
  ProcuraServerUpload *(*upload_get)     (ProcuraServerStorage     *self,
                                          const char               *id,
                                          const char               *username,
                                          const char               *sha256,
                                          GError                  **error);
  gboolean           (*upload_set_offset) (ProcuraServerStorage    *self,
                                           const char              *id,
                                           gint64                   offset,
                                           GError                 **error);
  gboolean           (*upload_remove)    (ProcuraServerStorage     *self,
                                          const char               *id,
                                          GError                  **error);

  /* a consistent copy of everything, taken while the server runs */
  gboolean           (*backup)           (ProcuraServerStorage     *self,
                                          const char               *path,
                                          GError                  **error);
} ProcuraServerStorageOps;

struct _ProcuraServerStorage
{
  const ProcuraServerStorageOps *ops;
};

/* The SQLite backend: the ProcuraStore in data_dir, in server mode. */
ProcuraServerStorage *procura_server_storage_sqlite_new (const char  *data_dir,
                                                         GError     **error);

void procura_server_storage_free (ProcuraServerStorage *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraServerStorage, procura_server_storage_free)

/* SHA-256 of data as 64 lower-case hex digits. */
char *procura_server_sha256_hex (const void *data,
                                 gsize       len);

G_END_DECLS
