/* procura-audit.c — the audit log's hash chain, shared by server and client
 *
 * The canonical form is written by hand, not by json-glib, so that
 * clients in any language can reproduce it byte for byte: members in a
 * fixed order, no whitespace, strings escaped minimally (PROTOCOL.md).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "procura-account.h"
#include "procura-audit.h"
#include "procura-sync.h"

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
    case PROCURA_AUDIT_TRUNCATED: return "truncated";
    default: return "unknown";
    }
}

/* ---- the chain ------------------------------------------------------- */

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

/* ---- verification ------------------------------------------------------ */

typedef enum
{
  MISMATCH_NONE,
  MISMATCH_AHEAD,   /* a number above the one expected */
  MISMATCH_BEHIND,  /* a number below it */
  MISMATCH_HASH,    /* the right number, the wrong hash */
} Mismatch;

struct _ProcuraAuditVerifier
{
  GChecksum *checksum;
  GString   *scratch;
  guint8     prev[32];
  gint64     expected;
  gint64     position;
  gint64     n_intact;

  /* after the first mismatch: what it was, and how often the numbers that
   * decide its kind occur in the whole log */
  Mismatch   mismatch;
  gint64     bad_position;
  gint64     mismatch_seq;   /* the number found there */
  gint64     expected_seq;   /* the number that should have been there */
  gint64     n_mismatch_seq;
  gint64     n_expected_seq;
};

ProcuraAuditVerifier *
procura_audit_verifier_new (void)
{
  ProcuraAuditVerifier *self = g_new0 (ProcuraAuditVerifier, 1);

  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  self->scratch = g_string_sized_new (512);
  self->expected = 1;

  return self;
}

void
procura_audit_verifier_free (ProcuraAuditVerifier *self)
{
  if (self == NULL)
    return;

  g_checksum_free (self->checksum);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}

gboolean
procura_audit_verifier_found (ProcuraAuditVerifier *self)
{
  return self->mismatch != MISMATCH_NONE;
}

void
procura_audit_verifier_add (ProcuraAuditVerifier    *self,
                            const ProcuraAuditEntry *entry,
                            const guint8            *stored_hash,
                            gsize                    stored_len)
{
  guint8 hash[32];

  self->position++;

  if (self->mismatch != MISMATCH_NONE)
    {
      if (entry->seq == self->mismatch_seq)
        self->n_mismatch_seq++;
      if (entry->seq == self->expected_seq)
        self->n_expected_seq++;
      return;
    }

  if (entry->seq != self->expected)
    {
      self->mismatch = entry->seq > self->expected ? MISMATCH_AHEAD : MISMATCH_BEHIND;
    }
  else
    {
      procura_audit_hash_with (self->checksum, self->prev, entry, self->scratch, hash);
      if (stored_hash != NULL && stored_len == 32 && memcmp (stored_hash, hash, 32) == 0)
        {
          memcpy (self->prev, hash, 32);
          self->n_intact++;
          self->expected++;
          return;
        }
      self->mismatch = MISMATCH_HASH;
    }

  /* Entries 1 … expected-1 came before, once each, so the counts start
   * from what this entry is. */
  self->bad_position = self->position;
  self->mismatch_seq = entry->seq;
  self->expected_seq = self->expected;
  self->n_mismatch_seq = 1 + (entry->seq < self->expected ? 1 : 0);
  self->n_expected_seq = entry->seq == self->expected ? 1 : 0;
}

void
procura_audit_verifier_finish (ProcuraAuditVerifier *self,
                               ProcuraAuditReport   *report)
{
  memset (report, 0, sizeof *report);
  report->n_entries = self->n_intact;

  switch (self->mismatch)
    {
    case MISMATCH_NONE:
      report->problem = PROCURA_AUDIT_OK;
      return;

    case MISMATCH_AHEAD:
      /* the one expected is elsewhere: moved; nowhere: removed */
      if (self->n_expected_seq > 0)
        {
          report->problem = PROCURA_AUDIT_REORDERED;
          report->bad_seq = self->mismatch_seq;
        }
      else
        {
          report->problem = PROCURA_AUDIT_REMOVED;
          report->bad_seq = self->expected_seq;
        }
      break;

    case MISMATCH_BEHIND:
      report->problem = self->n_mismatch_seq > 1 ? PROCURA_AUDIT_INSERTED : PROCURA_AUDIT_REORDERED;
      report->bad_seq = self->mismatch_seq;
      break;

    case MISMATCH_HASH:
      report->problem = self->n_mismatch_seq > 1 ? PROCURA_AUDIT_INSERTED : PROCURA_AUDIT_ALTERED;
      report->bad_seq = self->mismatch_seq;
      break;

    default:
      g_assert_not_reached ();
    }

  report->position = self->bad_position;
}

char *
procura_audit_report_describe (const ProcuraAuditReport *report)
{
  /* numbers as text: xgettext cannot read G_GINT64_FORMAT */
  g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, report->bad_seq);
  g_autofree char *after = g_strdup_printf ("%" G_GINT64_FORMAT, report->bad_seq + 1);
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, report->n_entries);

  switch (report->problem)
    {
    case PROCURA_AUDIT_OK:
      /* Translators: %s is the number of entries in the audit log */
      return g_strdup_printf (ngettext ("The log is intact: %s entry",
                                        "The log is intact: %s entries",
                                        (gulong) MIN (report->n_entries, G_MAXLONG)),
                              count);
    case PROCURA_AUDIT_ALTERED:
      /* Translators: %s is an audit log entry's number */
      return g_strdup_printf (_("Entry %s was altered"), seq);
    case PROCURA_AUDIT_REMOVED:
      /* Translators: both are audit log entry numbers: the one after the
       * gap and the one missing */
      return g_strdup_printf (_("An entry was removed before entry %s (entry %s is missing)"), after, seq);
    case PROCURA_AUDIT_INSERTED:
      /* Translators: %s is an audit log entry's number */
      return g_strdup_printf (_("An entry was inserted as entry %s"), seq);
    case PROCURA_AUDIT_REORDERED:
      /* Translators: %s is an audit log entry's number */
      return g_strdup_printf (_("Entry %s is out of order"), seq);
    case PROCURA_AUDIT_TRUNCATED:
      /* Translators: %s is an audit log entry's number */
      return g_strdup_printf (_("The log was cut short: entry %s, checked on this computer before, is gone"), seq);
    default:
      return g_strdup (_("The log is damaged"));
    }
}

/* ---- pages of GET /v1/audit -------------------------------------------- */

void
procura_audit_item_free (ProcuraAuditItem *item)
{
  if (item == NULL)
    return;

  g_free (item->at);
  g_free (item->actor);
  g_free (item->action);
  g_free (item->entity);
  g_free (item->id);
  g_free (item->mutation_id);
  g_free (item->status);
  g_free (item->detail);
  g_free (item->hash);
  g_free (item);
}

static gboolean
member_string (JsonObject  *object,
               const char  *name,
               guint        index,
               char       **out,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Audit log: entries[%u].%s is not text"), index, name);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
procura_audit_parse_page (const char  *body,
                          gsize        length,
                          GPtrArray   *items,
                          char       **out_next,
                          gboolean    *out_has_more,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *entries;
  JsonNode *next;

  if (!json_parser_load_from_data (parser, body, (gssize) length, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Audit log: the server’s answer is not a JSON object"));
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "entries") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "entries")))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Audit log: entries is missing or not a list"));
      return FALSE;
    }
  entries = json_object_get_array_member (root, "entries");

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      g_autoptr(ProcuraAuditItem) item = g_new0 (ProcuraAuditItem, 1);
      JsonObject *e;
      JsonNode *seq;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Audit log: entries[%u] is not an object"), i);
          return FALSE;
        }
      e = json_node_get_object (node);
      seq = json_object_get_member (e, "seq");
      if (seq == NULL || !JSON_NODE_HOLDS_VALUE (seq) || json_node_get_value_type (seq) != G_TYPE_INT64)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Audit log: entries[%u].seq is not a whole number"), i);
          return FALSE;
        }
      item->seq = json_node_get_int (seq);
      if (!member_string (e, "at", i, &item->at, error) ||
          !member_string (e, "actor", i, &item->actor, error) ||
          !member_string (e, "action", i, &item->action, error) ||
          !member_string (e, "entity", i, &item->entity, error) ||
          !member_string (e, "id", i, &item->id, error) ||
          !member_string (e, "mutation_id", i, &item->mutation_id, error) ||
          !member_string (e, "status", i, &item->status, error) ||
          !member_string (e, "detail", i, &item->detail, error) ||
          !member_string (e, "hash", i, &item->hash, error))
        return FALSE;

      g_ptr_array_add (items, g_steal_pointer (&item));
    }

  next = json_object_get_member (root, "next");
  *out_next = next != NULL && JSON_NODE_HOLDS_VALUE (next) && json_node_get_value_type (next) == G_TYPE_STRING
              ? g_strdup (json_node_get_string (next)) : NULL;
  *out_has_more = json_object_has_member (root, "has_more") &&
                  json_object_get_boolean_member (root, "has_more");
  if (*out_has_more && *out_next == NULL)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Audit log: more entries follow but next is missing"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_hex (const char *text,
           guint8      out[32])
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;

  for (guint i = 0; i < 32; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

void
procura_audit_verify_items (GPtrArray          *items,
                            ProcuraAuditReport *report)
{
  g_autoptr(ProcuraAuditVerifier) verifier = procura_audit_verifier_new ();

  for (guint i = 0; i < items->len; i++)
    {
      const ProcuraAuditItem *item = g_ptr_array_index (items, i);
      ProcuraAuditEntry e = {
        item->seq, item->at, item->actor, item->action, item->entity,
        item->id, item->mutation_id, item->status, item->detail
      };
      guint8 stored[32];
      gboolean have = parse_hex (item->hash, stored);

      procura_audit_verifier_add (verifier, &e, have ? stored : NULL, have ? 32 : 0);
    }

  procura_audit_verifier_finish (verifier, report);
}

/* ---- fetching ---------------------------------------------------------- */

#define PAGE_SIZE 1000
/* A log of ten years is some millions of entries; a server that keeps
 * answering "more" beyond this is broken, and the loop must end. */
#define MAX_PAGES 100000

typedef struct
{
  char                     *data_dir;
  guint                     max_kept;
  ProcuraAuditProgressFunc  progress;
  /* weak: the task data may be freed in the worker thread, and a window
   * must not be finalized there */
  GWeakRef                  progress_target;
  gboolean                  has_target;
  GPtrArray                *items;     /* the latest max_kept entries */
  ProcuraAuditVerifier     *verifier;  /* fed every entry, page by page */
  gint64                    n_read;
  ProcuraAuditReport        report;
  /* the last entry verified here before (a checkpoint): the log must still
   * hold it, unchanged — a chain cut at its end leaves no gap otherwise */
  gint64                    check_seq;
  char                     *check_hash;
  gboolean                  check_seen;
  gboolean                  check_match;
  gint64                    last_seq;
  char                     *last_hash;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_free (data->data_dir);
  g_weak_ref_clear (&data->progress_target);
  g_free (data->check_hash);
  g_free (data->last_hash);
  g_clear_pointer (&data->items, g_ptr_array_unref);
  g_clear_pointer (&data->verifier, procura_audit_verifier_free);
  g_free (data);
}

typedef struct
{
  ProcuraAuditProgressFunc  func;
  GObject                  *target;
  gboolean                  has_target;
  GCancellable             *cancellable;
  gint64                    n_read;
} Progress;

static void
progress_free (gpointer user_data)
{
  Progress *p = user_data;

  g_clear_object (&p->target);
  g_clear_object (&p->cancellable);
  g_free (p);
}

static gboolean
progress_cb (gpointer user_data)
{
  Progress *p = user_data;

  /* a target that went away wants no more news */
  if ((p->cancellable == NULL || !g_cancellable_is_cancelled (p->cancellable)) &&
      (p->target != NULL || !p->has_target))
    p->func (p->n_read, p->target);

  return G_SOURCE_REMOVE;
}

/* The entries of a page from first on: into the verifier, and kept (only
 * the latest max_kept: memory stays bounded however long the log). */
static void
take_page (FetchData *data,
           guint      first)
{
  for (guint i = first; i < data->items->len; i++)
    {
      const ProcuraAuditItem *item = g_ptr_array_index (data->items, i);
      ProcuraAuditEntry e = {
        item->seq, item->at, item->actor, item->action, item->entity,
        item->id, item->mutation_id, item->status, item->detail
      };
      guint8 stored[32];
      gboolean have = parse_hex (item->hash, stored);

      procura_audit_verifier_add (data->verifier, &e, have ? stored : NULL, have ? 32 : 0);
      data->n_read++;
      if (data->check_seq > 0 && item->seq == data->check_seq)
        {
          data->check_seen = TRUE;
          data->check_match = g_strcmp0 (item->hash, data->check_hash) == 0;
        }
      if (item->seq >= data->last_seq)
        {
          data->last_seq = item->seq;
          g_free (data->last_hash);
          data->last_hash = g_strdup (item->hash);
        }
    }

  /* trimmed in chunks, not entry by entry */
  if (data->max_kept > 0 && data->items->len > 2 * (gsize) data->max_kept)
    g_ptr_array_remove_range (data->items, 0, data->items->len - data->max_kept);
}

static void
set_status_error (GError     **error,
                  guint        status,
                  GBytes      *body)
{
  g_autofree char *reason = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  int code;

  if (data != NULL && json_parser_load_from_data (parser, data, (gssize) len, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));

      if (json_object_has_member (o, "reason"))
        reason = g_strdup (json_object_get_string_member_with_default (o, "reason", ""));
    }
  if (reason == NULL)
    reason = g_strdup_printf ("HTTP %u", status);

  code = status == 401 ? PROCURA_SYNC_ERROR_UNAUTHORIZED
       : status == 403 ? PROCURA_SYNC_ERROR_FORBIDDEN
       : status >= 500 ? PROCURA_SYNC_ERROR_UNAVAILABLE
       : PROCURA_SYNC_ERROR_REFUSED;

  if (code == PROCURA_SYNC_ERROR_UNAUTHORIZED)
    g_set_error (error, PROCURA_SYNC_ERROR, code,
                 _("Server: not logged in or the session expired (%s); log in again"), reason);
  else if (code == PROCURA_SYNC_ERROR_FORBIDDEN)
    g_set_error (error, PROCURA_SYNC_ERROR, code, _("Server: not allowed (%s)"), reason);
  else
    g_set_error (error, PROCURA_SYNC_ERROR, code, _("Audit log: the server refused (%s)"), reason);
}

#define CHECKPOINT_FILE "audit-checkpoint.json"

/* The last entry this device verified on this server, if any. */
static void
load_checkpoint (FetchData  *data,
                 const char *server)
{
  g_autofree char *path = g_build_filename (data->data_dir, CHECKPOINT_FILE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!json_parser_load_from_file (parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "server", NULL), server) != 0)
    return;
  data->check_seq = json_object_get_int_member_with_default (o, "seq", 0);
  data->check_hash = g_strdup (json_object_get_string_member_with_default (o, "hash", NULL));
}

static void
save_checkpoint (FetchData  *data,
                 const char *server)
{
  g_autofree char *path = g_build_filename (data->data_dir, CHECKPOINT_FILE, NULL);
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (o, "server", server);
  json_object_set_int_member (o, "seq", data->last_seq);
  json_object_set_string_member (o, "hash", data->last_hash);
  json_node_set_object (root, o);
  text = json_to_string (root, TRUE);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_warning ("Could not keep the audit checkpoint: %s", error->message);
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FetchData *data = task_data;
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autofree char *since = g_strdup ("0");
  g_autofree char *bearer = NULL;
  GError *error = NULL;
  gboolean more = TRUE;

  if ((account = procura_account_load (data->data_dir, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (account->server == NULL || account->token == NULL)
    {
      g_task_return_new_error (task, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                               _("This device is not logged in to a server"));
      return;
    }

  load_checkpoint (data, account->server);

  /* libsoup's default I/O timeout is none at all */
  session = soup_session_new_with_options ("timeout", 30,
                                           "idle-timeout", 60,
                                           "user-agent", "Procura/" PACKAGE_VERSION " ",
                                           NULL);
  bearer = g_strconcat ("Bearer ", account->token, NULL);

  for (guint page = 0; more && page < MAX_PAGES; page++)
    {
      g_autofree char *escaped = g_uri_escape_string (since, NULL, FALSE);
      g_autofree char *url = g_strdup_printf ("%s/v1/audit?since=%s&limit=%d",
                                              account->server, escaped, PAGE_SIZE);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autofree char *next = NULL;
      SoupMessageHeaders *headers;
      const char *bytes;
      gsize len;
      guint before = data->items->len;
      guint n_page;

      if (g_str_has_suffix (account->server, "/"))
        {
          g_free (url);
          url = g_strdup_printf ("%sv1/audit?since=%s&limit=%d", account->server, escaped, PAGE_SIZE);
        }
      if ((msg = soup_message_new ("GET", url)) == NULL)
        {
          g_task_return_new_error (task, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_REFUSED,
                                   _("Server: “%s” is not a valid address"), account->server);
          return;
        }
      headers = soup_message_get_request_headers (msg);
      soup_message_headers_replace (headers, "Sync-Protocol", "1");
      soup_message_headers_replace (headers, "Accept", "application/json");
      soup_message_headers_replace (headers, "Authorization", bearer);

      if ((body = soup_session_send_and_read (session, msg, cancellable, &error)) == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              GError *wrapped = g_error_new (PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE,
                                             _("Server: cannot reach %s (%s)"),
                                             account->server, error->message);
              g_clear_error (&error);
              error = wrapped;
            }
          g_task_return_error (task, error);
          return;
        }
      if (soup_message_get_status (msg) != 200)
        {
          set_status_error (&error, soup_message_get_status (msg), body);
          g_task_return_error (task, error);
          return;
        }

      bytes = g_bytes_get_data (body, &len);
      if (!procura_audit_parse_page (bytes, len, data->items, &next, &more, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      n_page = data->items->len - before;
      take_page (data, before);
      if (data->progress != NULL)
        {
          Progress *p = g_new0 (Progress, 1);
          GSource *source;

          p->func = data->progress;
          p->target = g_weak_ref_get (&data->progress_target);
          p->has_target = data->has_target;
          p->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
          p->n_read = data->n_read;
          /* Not g_main_context_invoke(): on a context that no thread holds
           * at this moment (the caller busy outside its loop, as in
           * gtk_window_present()) it runs the callback right here, in the
           * worker, and GTK with it. An idle source waits for the caller. */
          source = g_idle_source_new ();
          g_source_set_priority (source, G_PRIORITY_DEFAULT);
          g_source_set_callback (source, progress_cb, p, progress_free);
          g_source_set_static_name (source, "[procura] audit progress");
          g_source_attach (source, g_task_get_context (task));
          g_source_unref (source);
        }
      /* a page with nothing new that still says "more" would loop */
      if (more && (n_page == 0 || g_strcmp0 (next, since) == 0))
        {
          g_task_return_new_error (task, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                                   _("Audit log: the server’s pages do not advance"));
          return;
        }
      if (next != NULL)
        {
          g_free (since);
          since = g_steal_pointer (&next);
        }
    }

  if (more)
    {
      g_task_return_new_error (task, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                               _("Audit log: the server’s pages do not end"));
      return;
    }

  if (data->max_kept > 0 && data->items->len > data->max_kept)
    g_ptr_array_remove_range (data->items, 0, data->items->len - data->max_kept);
  procura_audit_verifier_finish (data->verifier, &data->report);
  if (data->report.problem == PROCURA_AUDIT_OK && data->check_seq > 0 && !data->check_seen)
    {
      data->report.problem = PROCURA_AUDIT_TRUNCATED;
      data->report.bad_seq = data->check_seq;
    }
  else if (data->report.problem == PROCURA_AUDIT_OK && data->check_seq > 0 && !data->check_match)
    {
      data->report.problem = PROCURA_AUDIT_ALTERED;
      data->report.bad_seq = data->check_seq;
    }
  else if (data->report.problem == PROCURA_AUDIT_OK && data->last_hash != NULL)
    save_checkpoint (data, account->server);
  g_task_return_boolean (task, TRUE);
}

void
procura_audit_fetch_async (const char               *data_dir,
                           guint                     max_kept,
                           ProcuraAuditProgressFunc  progress,
                           GObject                  *progress_target,
                           GCancellable             *cancellable,
                           GAsyncReadyCallback       callback,
                           gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchData *data;

  g_return_if_fail (data_dir != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, procura_audit_fetch_async);
  g_task_set_return_on_cancel (task, FALSE);

  data = g_new0 (FetchData, 1);
  data->data_dir = g_strdup (data_dir);
  data->max_kept = max_kept;
  data->progress = progress;
  g_weak_ref_init (&data->progress_target, progress_target);
  data->has_target = progress_target != NULL;
  data->items = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_audit_item_free);
  data->verifier = procura_audit_verifier_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  g_task_run_in_thread (task, fetch_thread);
}

GPtrArray *
procura_audit_fetch_finish (GAsyncResult        *result,
                            ProcuraAuditReport  *report,
                            gint64              *out_n_read,
                            GError             **error)
{
  FetchData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;

  data = g_task_get_task_data (G_TASK (result));
  if (report != NULL)
    *report = data->report;
  if (out_n_read != NULL)
    *out_n_read = data->n_read;

  return g_steal_pointer (&data->items);
}
