/* procura-server-auth.c — passwords, tokens and login throttling
 *
 * Passwords: libsodium's crypto_pwhash_str (Argon2id, salt and limits in
 * the string). Tokens: 256 random bits from randombytes_buf, never
 * stored; the server keeps the SHA-256 of their hex text, so a copy of
 * the database does not let anyone in. Failed logins are counted per
 * name in memory: a restart forgets them, which costs an attacker a
 * restart per five guesses at Argon2id speed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "procura-server-auth.h"

gboolean
procura_auth_init (void)
{
  return sodium_init () >= 0;
}

char *
procura_auth_hash_password (const char *password)
{
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return NULL;

  return g_strdup (hash);
}

gboolean
procura_auth_check_password (const char *hash,
                             const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;

  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

void
procura_auth_dummy_check (const char *password)
{
  static char *dummy_hash;

  if (dummy_hash == NULL)
    dummy_hash = procura_auth_hash_password ("not a password of anyone");
  if (dummy_hash != NULL)
    procura_auth_check_password (dummy_hash, password);
}

static void
text_hash (const char *text,
           guint8      out_hash[32])
{
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update (checksum, (const guchar *) text, strlen (text));
  g_checksum_get_digest (checksum, out_hash, &len);
  g_checksum_free (checksum);
}

char *
procura_auth_new_token (guint8 out_hash[32])
{
  guint8 bytes[32];
  char *token = g_malloc (65);

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2hex (token, 65, bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  text_hash (token, out_hash);

  return token;
}

gboolean
procura_auth_token_hash (const char *token,
                         guint8      out_hash[32])
{
  if (token == NULL || strlen (token) != 64)
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;

  text_hash (token, out_hash);
  return TRUE;
}

/* ---- throttling ------------------------------------------------------ */

struct _ProcuraThrottle
{
  GHashTable *failures;  /* name → GArray of gint64 times, oldest first */
};

ProcuraThrottle *
procura_throttle_new (void)
{
  ProcuraThrottle *self = g_new0 (ProcuraThrottle, 1);

  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);

  return self;
}

void
procura_throttle_free (ProcuraThrottle *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->failures);
  g_free (self);
}

static GArray *
recent (ProcuraThrottle *self,
        const char      *name,
        gint64           now)
{
  GArray *times = g_hash_table_lookup (self->failures, name);
  guint old = 0;

  if (times == NULL)
    return NULL;
  while (old < times->len && g_array_index (times, gint64, old) <= now - PROCURA_LOGIN_WINDOW)
    old++;
  g_array_remove_range (times, 0, old);
  if (times->len == 0)
    {
      g_hash_table_remove (self->failures, name);
      return NULL;
    }

  return times;
}

gint64
procura_throttle_check (ProcuraThrottle *self,
                        const char      *name,
                        gint64           now)
{
  GArray *times = recent (self, name, now);
  gint64 wait;

  if (times == NULL || times->len < PROCURA_LOGIN_MAX_FAILURES)
    return 0;

  /* free again when the oldest failure that counts leaves the window */
  wait = g_array_index (times, gint64, times->len - PROCURA_LOGIN_MAX_FAILURES) + PROCURA_LOGIN_WINDOW - now;

  return MAX (wait, 1);
}

static gboolean
expired_cb (gpointer key,
            gpointer value,
            gpointer user_data)
{
  GArray *times = value;
  gint64 now = *(gint64 *) user_data;

  return times->len == 0 || g_array_index (times, gint64, times->len - 1) <= now - PROCURA_LOGIN_WINDOW;
}

void
procura_throttle_failed (ProcuraThrottle *self,
                         const char      *name,
                         gint64           now)
{
  GArray *times;

  /* guesses at many names must not grow the table without end */
  if (g_hash_table_size (self->failures) >= 10000)
    g_hash_table_foreach_remove (self->failures, expired_cb, &now);

  times = recent (self, name, now);

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->failures, g_strdup (name), times);
    }
  g_array_append_val (times, now);
  /* only the last few matter */
  if (times->len > 2 * PROCURA_LOGIN_MAX_FAILURES)
    g_array_remove_range (times, 0, times->len - 2 * PROCURA_LOGIN_MAX_FAILURES);
}

void
procura_throttle_reset (ProcuraThrottle *self,
                        const char      *name)
{
  g_hash_table_remove (self->failures, name);
}
