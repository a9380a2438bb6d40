/* procura-server-audit.c — roles, accounts and the error domain
 *
 * The audit chain itself (canonical form, hashes, verification) lives in
 * src/core/procura-audit.c, so that `procura-server audit verify` and the
 * desktop app's audit window judge a log with the same code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "procura-server-storage.h"

G_DEFINE_QUARK (procura-server-error-quark, procura_server_error)

static const char * const role_names[] = { "admin", "officer", "agency", "auditor" };

const char *
procura_role_to_string (ProcuraRole role)
{
  g_return_val_if_fail (role <= PROCURA_ROLE_AUDITOR, NULL);

  return role_names[role];
}

gboolean
procura_role_from_string (const char  *text,
                          ProcuraRole *out_role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (text, role_names[i]) == 0)
      {
        *out_role = (ProcuraRole) i;
        return TRUE;
      }

  return FALSE;
}

void
procura_server_user_free (ProcuraServerUser *user)
{
  if (user == NULL)
    return;

  g_free (user->name);
  g_free (user->org_uscc);
  g_free (user->password_hash);
  g_free (user);
}

void
procura_server_storage_free (ProcuraServerStorage *self)
{
  if (self != NULL)
    self->ops->free (self);
}

char *
procura_server_sha256_hex (const void *data,
                           gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}
