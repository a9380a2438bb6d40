/* procura-server-auth.h — passwords, tokens and login throttling
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Tokens live this long (PROTOCOL.md). */
#define PROCURA_TOKEN_LIFETIME (30 * 24 * 60 * 60)
/* This many failed logins for one name within the window lock it out
 * until the oldest of them leaves the window. */
#define PROCURA_LOGIN_MAX_FAILURES 5
#define PROCURA_LOGIN_WINDOW (15 * 60)

/* sodium_init(); FALSE if libsodium cannot work on this machine. */
gboolean  procura_auth_init            (void);
/* Argon2id (crypto_pwhash_str) with the interactive limits; NULL when out
 * of memory. */
char     *procura_auth_hash_password   (const char   *password);
gboolean  procura_auth_check_password  (const char   *hash,
                                        const char   *password);
/* Burns the time of one check, so that an unknown name answers as slowly
 * as a wrong password. */
void      procura_auth_dummy_check     (const char   *password);
/* 32 random bytes as 64 hex digits, and the SHA-256 the server keeps of
 * that text. */
char     *procura_auth_new_token       (guint8        out_hash[32]);
/* FALSE unless token is 64 hex digits. */
gboolean  procura_auth_token_hash      (const char   *token,
                                        guint8        out_hash[32]);

typedef struct _ProcuraThrottle ProcuraThrottle;

ProcuraThrottle *procura_throttle_new     (void);
void             procura_throttle_free    (ProcuraThrottle *self);
/* 0 when name may try to log in now, else the seconds to wait. */
gint64           procura_throttle_check   (ProcuraThrottle *self,
                                           const char      *name,
                                           gint64           now);
void             procura_throttle_failed  (ProcuraThrottle *self,
                                           const char      *name,
                                           gint64           now);
void             procura_throttle_reset   (ProcuraThrottle *self,
                                           const char      *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraThrottle, procura_throttle_free)

G_END_DECLS
