/* procura-server-audit.c — the audit log's hash chain
 *
 * hash_n = SHA-256 (0x00 ‖ hash_{n-1} ‖ canonical (entry_n)), hash_0 = 32
 * zero bytes. The canonical form is written by hand, not by json-glib, so
 * that clients in any language can reproduce it byte for byte: members in
 * a fixed order, no whitespace, strings escaped minimally (PROTOCOL.md).
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

const char *
procura_audit_problem_to_string (ProcuraAuditProblem problem)
{
  switch (problem)
    {
    case PROCURA_AUDIT_OK: return "intact";
    case PROCURA_AUDIT_ALTERED: return "altered";
    case PROCURA_AUDIT_REMOVED: return "removed";
    case PROCURA_AUDIT_INSERTED: return "inserted";
    case PROCURA_AUDIT_REORDERED: return "reordered";
    default: return "unknown";
    }
}

static void
append_string (GString    *out,
               const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"')
        g_string_append (out, "\\\"");
      else if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

void
procura_audit_canonical (GString                 *out,
                         const ProcuraAuditEntry *entry)
{
  g_string_append_printf (out, "{\"seq\":%" G_GINT64_FORMAT ",\"at\":", entry->seq);
  append_string (out, entry->at);
  g_string_append (out, ",\"actor\":");
  append_string (out, entry->actor);
  g_string_append (out, ",\"action\":");
  append_string (out, entry->action);
  g_string_append (out, ",\"entity\":");
  append_string (out, entry->entity);
  g_string_append (out, ",\"id\":");
  append_string (out, entry->id);
  g_string_append (out, ",\"mutation_id\":");
  append_string (out, entry->mutation_id);
  g_string_append (out, ",\"status\":");
  append_string (out, entry->status);
  g_string_append (out, ",\"detail\":");
  append_string (out, entry->detail);
  g_string_append_c (out, '}');
}

void
procura_audit_hash_with (GChecksum               *checksum,
                         const guint8            *prev,
                         const ProcuraAuditEntry *entry,
                         GString                 *scratch,
                         guint8                   out[32])
{
  static const guint8 zero = 0;
  gsize len = 32;

  g_string_truncate (scratch, 0);
  procura_audit_canonical (scratch, entry);

  g_checksum_reset (checksum);
  g_checksum_update (checksum, &zero, 1);
  g_checksum_update (checksum, prev, 32);
  g_checksum_update (checksum, (const guchar *) scratch->str, scratch->len);
  g_checksum_get_digest (checksum, out, &len);
}

void
procura_audit_hash (const guint8            *prev,
                    const ProcuraAuditEntry *entry,
                    GString                 *scratch,
                    guint8                   out[32])
{
  GChecksum *checksum = g_checksum_new (G_CHECKSUM_SHA256);

  procura_audit_hash_with (checksum, prev, entry, scratch, out);
  g_checksum_free (checksum);
}

char *
procura_server_sha256_hex (const void *data,
                           gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}
