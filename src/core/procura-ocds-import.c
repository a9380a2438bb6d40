/* procura-ocds-import.c — OCDS release packages into the store
 *
 * The inverse of procura-ocds.c for what Procura models; everything else
 * of a release is kept with the project (procura-ocds-preserve.c) and
 * written back on export.
 *
 * Decisions:
 * - A project is found by the ocid it was imported under, else by the
 *   project number the ocid names (our own prefix, the one set or the
 *   default, stripped), else by the id derived from the ocid, else added
 *   under that id.
 * - Records added for a release's objects (organizations, milestones,
 *   payments, amendments, indicators) get ids derived from the ocid and
 *   the object's id (a name-based UUID), or the object's own id when it
 *   is a UUID of ours: the kept releases are local to a store, so a
 *   second device importing the same package finds the same records by
 *   id instead of adding them (and paying) twice.
 *   Several releases of one ocid apply in date order; each sets only what
 *   it carries (OCDS releases are partial), and the kept release is the
 *   compiled one (later releases merged over earlier ones).
 * - Dates: the calendar day as the release writes it (its own offset).
 *   Amounts: the Value's amount in 分, exactly (at most two decimals,
 *   judged on the shortest text of the double json-glib reads). A Value
 *   in another currency than CNY stays out of the ledger (a note says
 *   so) and in the kept release. Integers beyond 64 bits and nesting
 *   deeper than json-glib can take are refused before parsing.
 * - Amendments: our exports carry each one's value change (valueChange,
 *   not in OCDS 1.1.5); without it, the difference between the award's
 *   and the contract's values goes to the last amendment.
 * - A payment's voucher number, which OCDS does not carry, is the
 *   transaction's id for a payment added; one the ledger has stays.
 * - Organizations are identified by their 统一社会信用代码: a party with a
 *   CN-USCI identifier is found by it or added; parties under other
 *   schemes stay in the OCDS data only (a note says so), and so the
 *   project cannot leave the draft state without an agency.
 * - A release's structure and types are checked strictly: a wrong type is
 *   the release's problem, named by its JSON path. What the ledger's rules
 *   refuse of the release's milestones, transactions, amendments or status
 *   (the standard's own examples pay before the contract is signed) is
 *   left out of the ledger and listed as a note.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-ocds.h"
#include "procura-ocds-import.h"
#include "procura-ocds-preserve.h"
#include "procura-schema.h"
#include "procura-store-private.h"
#include "procura-uscc.h"
#include "procura-workflow.h"

typedef struct
{
  guint       index;     /* in the package */
  JsonObject *object;    /* NULL when not an object */
  char       *ocid;
  char       *date;
  char       *label;
  char       *problem;
  char       *project_id;
  GPtrArray  *notes;     /* NULL-terminated */
} Release;

struct _ProcuraOcdsImport
{
  JsonNode  *root;
  GPtrArray *releases;   /* Release* */
  char      *prefix;     /* of our ocids; NULL: the default only */
  guint      n_problems;
  guint      n_written;
};

static void
release_free (Release *r)
{
  g_free (r->ocid);
  g_free (r->date);
  g_free (r->label);
  g_free (r->problem);
  g_free (r->project_id);
  g_clear_pointer (&r->notes, g_ptr_array_unref);
  g_free (r);
}

/* g_set_str() is GLib 2.76 */
static void
set_str (char       **slot,
                  const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

/* ---- parsing ------------------------------------------------------------ */

gboolean
procura_ocds_import_detect (const char *data,
                            gsize       length)
{
  gsize i = 0;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < length && g_ascii_isspace (data[i]))
    i++;
  return i < length && data[i] == '{' && g_strstr_len (data, length, "\"releases\"") != NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* json-glib recurses once per nesting level (a deep enough file
 * overflows the stack) and reads an integer beyond 64 bits as a wrong
 * one without saying so; both are refused before parsing. */
#define MAX_DEPTH 256

typedef struct
{
  gboolean    array;
  gboolean    expect_key;
  guint       index;
  const char *key;
  gsize       key_length;
} ScanFrame;

static char *
scan_path (const ScanFrame *frames,
           guint            n)
{
  GString *path = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    if (frames[i].array)
      g_string_append_printf (path, "[%u]", frames[i].index);
    else if (frames[i].key != NULL)
      {
        if (path->len > 0)
          g_string_append_c (path, '.');
        g_string_append_len (path, frames[i].key, frames[i].key_length);
      }
  return g_string_free (path, FALSE);
}

static gboolean
scan_json (const char  *data,
           gsize        length,
           GError     **error)
{
  ScanFrame frames[MAX_DEPTH];
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (c == '"')
        {
          gsize start = ++i;

          while (i < length && data[i] != '"')
            i += data[i] == '\\' ? 2 : 1;
          if (depth > 0 && !frames[depth - 1].array && frames[depth - 1].expect_key)
            {
              frames[depth - 1].key = data + start;
              frames[depth - 1].key_length = MIN (i, length) - start;
              frames[depth - 1].expect_key = FALSE;
            }
        }
      else if (c == '{' || c == '[')
        {
          if (depth == MAX_DEPTH)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("OCDS release package: nested more than %u levels deep"), MAX_DEPTH);
              return FALSE;
            }
          frames[depth++] = (ScanFrame) { c == '[', c == '{', 0, NULL, 0 };
        }
      else if (c == '}' || c == ']')
        {
          if (depth > 0)
            depth--;
        }
      else if (c == ',' && depth > 0)
        {
          if (frames[depth - 1].array)
            frames[depth - 1].index++;
          else
            frames[depth - 1].expect_key = TRUE;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gsize start = i;
          gboolean integer = TRUE;

          while (i + 1 < length && (g_ascii_isdigit (data[i + 1]) || strchr ("+-.eE", data[i + 1]) != NULL))
            {
              i++;
              if (!g_ascii_isdigit (data[i]) && data[i] != '-')
                integer = FALSE;
            }
          /* 19 characters and more may not fit in 64 bits */
          if (integer && i + 1 - start >= 19)
            {
              g_autofree char *literal = g_strndup (data + start, i + 1 - start);

              errno = 0;
              g_ascii_strtoll (literal, NULL, 10);
              if (errno == ERANGE)
                {
                  g_autofree char *path = scan_path (frames, depth);

                  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                               _("OCDS release package: %s: %s is out of range"), path, literal);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

ProcuraOcdsImport *
procura_ocds_import_parse (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  ProcuraOcdsImport *self;
  JsonNode *releases;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCDS release package: not UTF-8 text"));
      return NULL;
    }
  if (!scan_json (data, length, error))
    return NULL;
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCDS release package: not JSON: %s"), local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCDS release package: the top level must be an object"));
      return NULL;
    }
  releases = json_object_get_member (json_node_get_object (json_parser_get_root (parser)), "releases");
  if (releases == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCDS release package: releases: missing (a record package or a single release is not a release package)"));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (releases))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCDS release package: releases: must be an array"));
      return NULL;
    }

  self = g_new0 (ProcuraOcdsImport, 1);
  self->root = json_parser_steal_root (parser);
  self->releases = g_ptr_array_new_with_free_func ((GDestroyNotify) release_free);
  releases = json_object_get_member (json_node_get_object (self->root), "releases");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (releases)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (releases), i);
      Release *r = g_new0 (Release, 1);

      r->index = i;
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          const char *ocid, *id;

          r->object = json_node_get_object (node);
          ocid = string_member (r->object, "ocid");
          id = string_member (r->object, "id");
          r->ocid = g_strdup (ocid);
          r->date = g_strdup (string_member (r->object, "date"));
          r->label = g_strdup_printf ("%s / %s", ocid != NULL ? ocid : "?", id != NULL ? id : "?");
        }
      else
        r->label = g_strdup_printf ("releases[%u]", i);
      g_ptr_array_add (self->releases, r);
    }

  return self;
}

ProcuraOcdsImport *
procura_ocds_import_load (const char  *path,
                          GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("Input file: %s"), local_error->message);
      return NULL;
    }
  return procura_ocds_import_parse (data, length, error);
}

void
procura_ocds_import_free (ProcuraOcdsImport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->root, json_node_unref);
  g_clear_pointer (&self->releases, g_ptr_array_unref);
  g_free (self->prefix);
  g_free (self);
}

void
procura_ocds_import_set_prefix (ProcuraOcdsImport *self,
                                const char        *prefix)
{
  g_return_if_fail (self != NULL);
  set_str (&self->prefix, prefix);
}

guint
procura_ocds_import_get_n_releases (ProcuraOcdsImport *self)
{
  return self->releases->len;
}

static Release *
get_release (ProcuraOcdsImport *self,
             guint              i)
{
  return g_ptr_array_index (self->releases, i);
}

const char *
procura_ocds_import_get_release_label (ProcuraOcdsImport *self,
                                       guint              release)
{
  g_return_val_if_fail (release < self->releases->len, NULL);
  return get_release (self, release)->label;
}

const char *
procura_ocds_import_get_release_problem (ProcuraOcdsImport *self,
                                         guint              release)
{
  g_return_val_if_fail (release < self->releases->len, NULL);
  return get_release (self, release)->problem;
}

const char * const *
procura_ocds_import_get_release_notes (ProcuraOcdsImport *self,
                                       guint              release)
{
  static const char * const none[] = { NULL };
  Release *r;

  g_return_val_if_fail (release < self->releases->len, NULL);
  r = get_release (self, release);
  return r->notes != NULL ? (const char * const *) r->notes->pdata : none;
}

const char *
procura_ocds_import_get_release_project (ProcuraOcdsImport *self,
                                         guint              release)
{
  g_return_val_if_fail (release < self->releases->len, NULL);
  return get_release (self, release)->project_id;
}

guint
procura_ocds_import_get_n_problems (ProcuraOcdsImport *self)
{
  return self->n_problems;
}

guint
procura_ocds_import_get_n_written (ProcuraOcdsImport *self)
{
  return self->n_written;
}

/* ---- typed access with JSON paths ---------------------------------------- */

typedef struct
{
  ProcuraStore *store;
  Release      *release;
  JsonObject   *idmap;     /* Procura id → release id */
  GHashTable   *reverse;   /* release id → Procura id (this project's records) */
  char         *code;
  char         *project_id;
  ProcuraRecord *project;  /* as stored, after the project's own write */
} Ctx;

static void
note (Ctx        *ctx,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
note (Ctx        *ctx,
      const char *format,
      ...)
{
  va_list args;

  if (ctx->release->notes == NULL)
    {
      ctx->release->notes = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (ctx->release->notes, NULL);
    }
  va_start (args, format);
  g_ptr_array_insert (ctx->release->notes, ctx->release->notes->len - 1, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
wrong_type (const char  *path,
            const char  *what,
            GError     **error)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID, "%s: %s", path, what);
  return FALSE;
}

/* A member that is absent or null reads as NULL. */
static gboolean
get_string (JsonObject  *object,
            const char  *name,
            const char  *path,
            const char **out,
            GError     **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *p = g_strdup_printf ("%s.%s", path, name);

      return wrong_type (p, _("must be a string"), error);
    }
  *out = json_node_get_string (node);
  if ((*out)[0] == '\0')
    *out = NULL;
  return TRUE;
}

static gboolean
get_object (JsonObject  *object,
            const char  *name,
            const char  *path,
            JsonObject **out,
            GError     **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *p = g_strdup_printf ("%s.%s", path, name);

      return wrong_type (p, _("must be an object"), error);
    }
  *out = json_node_get_object (node);
  return TRUE;
}

/* An array whose items must all be objects. */
static gboolean
get_objects (JsonObject  *object,
             const char  *name,
             const char  *path,
             JsonArray  **out,
             GError     **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  g_autofree char *p = g_strdup_printf ("%s.%s", path, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (p, _("must be an array"), error);
  *out = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (*out); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (*out, i)))
      {
        g_autofree char *item = g_strdup_printf ("%s[%u]", p, i);

        *out = NULL;
        return wrong_type (item, _("must be an object"), error);
      }
  return TRUE;
}

static JsonObject *
first_object (JsonArray *array)
{
  return array != NULL && json_array_get_length (array) > 0 ? json_array_get_object_element (array, 0) : NULL;
}

/* A date-time as the calendar day it names in its own offset. */
static gboolean
get_date (JsonObject  *object,
          const char  *name,
          const char  *path,
          char       **out,
          GError     **error)
{
  const char *text;
  g_autofree char *p = g_strdup_printf ("%s.%s", path, name);

  *out = NULL;
  if (!get_string (object, name, path, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  {
    g_autofree char *day = g_strndup (text, 10);
    g_autoptr(GDateTime) parsed = NULL;

    /* OCDS date-times are ISO 8601 with an offset; a bare date is taken too */
    if (strlen (text) > 10)
      parsed = g_date_time_new_from_iso8601 (text, NULL);
    if ((strlen (text) > 10 && parsed == NULL) || !procura_date_validate (day, NULL, NULL))
      return wrong_type (p, _("must be a date-time such as 2021-08-01T00:00:00+08:00"), error);
    *out = g_steal_pointer (&day);
  }
  return TRUE;
}

/* A JSON number read as a double, in hundredths, exactly: the shortest
 * decimal text that reads back as the double (what the file said, but
 * for digits beyond a double's precision) may have at most two
 * decimals. NULL when good, else why not. */
static const char *
double_to_hundredths (double  value,
                      gint64  limit,
                      gint64 *out)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text, *p;
  GString *digits = g_string_new (NULL);
  int point = -1, exponent = 0, decimals;
  gboolean negative = FALSE;
  gint64 result = 0;
  const char *reason = NULL;

  *out = 0;
  if (!isfinite (value))
    {
      g_string_free (digits, TRUE);
      return _("too large");
    }
  text = procura_ocds_preserve_format_number (buffer, value);
  p = text;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (; *p != '\0' && *p != 'e' && *p != 'E'; p++)
    if (*p == '.')
      point = digits->len;
    else
      g_string_append_c (digits, *p);
  if (*p != '\0')
    exponent = atoi (p + 1);
  if (point < 0)
    point = digits->len;
  /* value = 0.digits × 10^(point + exponent) */
  while (digits->len > 0 && digits->str[digits->len - 1] == '0' && (int) digits->len > point + exponent)
    g_string_truncate (digits, digits->len - 1);
  decimals = (int) digits->len - (point + exponent);
  if (decimals > 2)
    reason = _("more than two decimals");
  else if ((int) digits->len + 2 - decimals > 17)
    reason = _("too large");
  else
    {
      for (guint i = 0; i < digits->len; i++)
        result = result * 10 + (digits->str[i] - '0');
      for (int i = decimals; i < 2; i++)
        result *= 10;
      if (result > limit)
        reason = _("too large");
      *out = negative ? -result : result;
    }
  g_string_free (digits, TRUE);
  return reason;
}

/* A Value's amount in 分; a Value in another currency than CNY stays
 * out of the ledger (*has FALSE, a note). */
static gboolean
get_amount (Ctx         *ctx,
            JsonObject  *object,
            const char  *name,
            const char  *path,
            gboolean    *has,
            gint64      *fen,
            GError     **error)
{
  JsonObject *value;
  JsonNode *node;
  const char *currency;
  g_autofree char *vpath = g_strdup_printf ("%s.%s", path, name);
  g_autofree char *p = g_strdup_printf ("%s.%s.amount", path, name);

  *has = FALSE;
  *fen = 0;
  if (!get_object (object, name, path, &value, error))
    return FALSE;
  if (value == NULL || (node = json_object_get_member (value, "amount")) == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return wrong_type (p, _("must be a number"), error);
  if (!get_string (value, "currency", vpath, &currency, error))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 units = json_node_get_int (node);

      if (units > PROCURA_MONEY_MAX / 100 || units < -PROCURA_MONEY_MAX / 100)
        return wrong_type (p, _("too large"), error);
      *fen = units * 100;
    }
  else
    {
      const char *reason = double_to_hundredths (json_node_get_double (node), PROCURA_MONEY_MAX, fen);

      if (reason != NULL)
        return wrong_type (p, reason, error);
    }
  if (currency != NULL && strcmp (currency, "CNY") != 0)
    {
      /* Translators: "<JSON path>: amount in GBP kept in the OCDS data only; …" */
      note (ctx, _("%s: amount in %s kept in the OCDS data only; Procura keeps amounts in CNY"), vpath, currency);
      *fen = 0;
      return TRUE;
    }
  *has = TRUE;
  return TRUE;
}

/* A name-based UUID (RFC 9562 version 8, from SHA-256) of the parts:
 * every device importing the same OCDS object gives it the same id, so a
 * second import, there or after the kept releases are gone, finds the
 * record rather than adding it again (the kept releases and their id maps
 * are local to a store, the records are synced). */
static char *
derived_id (const char *kind,
            const char *ocid,
            const char *ocds_id)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 b[32];
  gsize n = sizeof b;

  g_checksum_update (checksum, (const guchar *) "procura-ocds", strlen ("procura-ocds") + 1);
  g_checksum_update (checksum, (const guchar *) kind, strlen (kind) + 1);
  g_checksum_update (checksum, (const guchar *) ocid, strlen (ocid) + 1);
  if (ocds_id != NULL)
    g_checksum_update (checksum, (const guchar *) ocds_id, strlen (ocds_id));
  g_checksum_get_digest (checksum, b, &n);
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* ---- organizations ------------------------------------------------------ */

static JsonObject *
find_party (JsonObject *release,
            const char *release_path,
            const char *id,
            char      **path)
{
  JsonNode *parties = json_object_get_member (release, "parties");

  if (id == NULL || parties == NULL || !JSON_NODE_HOLDS_ARRAY (parties))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (parties)); i++)
    {
      JsonNode *party = json_array_get_element (json_node_get_array (parties), i);

      if (JSON_NODE_HOLDS_OBJECT (party) && g_strcmp0 (string_member (json_node_get_object (party), "id"), id) == 0)
        {
          *path = g_strdup_printf ("%s.parties[%u]", release_path, i);
          return json_node_get_object (party);
        }
    }
  return NULL;
}

/* The organization of a party reference: found by credit code, or
 * added. *org_id NULL (and a note) when the party has no CN-USCI
 * identifier. */
static gboolean
resolve_party (Ctx         *ctx,
               JsonObject  *compiled,
               JsonObject  *reference,
               const char  *kind,
               char       **org_id,
               GError     **error)
{
  const char *id = string_member (reference, "id");
  g_autofree char *ppath = NULL;
  g_autofree char *rpath = g_strdup_printf ("releases[%u]", ctx->release->index);
  JsonObject *party = find_party (compiled, rpath, id, &ppath);
  JsonObject *identifier = NULL;
  const char *scheme = NULL, *code = NULL, *name = NULL;
  g_autofree char *ipath = NULL;
  g_autofree char *upper = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) local_error = NULL;

  *org_id = NULL;
  if (party == NULL)
    {
      note (ctx, _("Party “%s”: not in the release’s parties; kept in the OCDS data only"), id != NULL ? id : "?");
      return TRUE;
    }
  if (!get_object (party, "identifier", ppath, &identifier, error))
    return FALSE;
  ipath = g_strdup_printf ("%s.identifier", ppath);
  if (!get_string (identifier, "scheme", ipath, &scheme, error) ||
      !get_string (identifier, "id", ipath, &code, error) ||
      !get_string (party, "name", ppath, &name, error))
    return FALSE;
  if (g_strcmp0 (scheme, "CN-USCI") != 0 || code == NULL)
    {
      note (ctx, _("Party “%s”: identified as %s, not by a unified social credit code; kept in the OCDS data only"),
            id, scheme != NULL ? scheme : "?");
      return TRUE;
    }

  upper = g_utf8_strup (code, -1);
  if (!procura_uscc_validate (upper, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID, "%s.id: %s", ipath, local_error->message);
      return FALSE;
    }
  if (!(found = procura_store_list (ctx->store, PROCURA_ENTITY_ORGANIZATION, "uscc", upper, error)))
    return FALSE;
  if (found->len > 0)
    *org_id = g_strdup (procura_record_get_id (g_ptr_array_index (found, 0)));
  else
    {
      /* the same id on every device that adds it from OCDS */
      g_autofree char *new_id = derived_id ("organization", "CN-USCI", upper);
      g_autoptr(ProcuraRecord) org = NULL;
      g_autoptr(ProcuraRecord) taken = procura_store_find (ctx->store, new_id, NULL);

      if (taken != NULL)
        {
          g_free (new_id);
          new_id = g_uuid_string_random ();
        }
      org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, new_id);
      JsonObject *address = NULL;
      const char *street = NULL, *legal = NULL;

      if (!get_string (identifier, "legalName", ipath, &legal, error) ||
          !get_object (party, "address", ppath, &address, error))
        return FALSE;
      if (address != NULL)
        {
          g_autofree char *apath = g_strdup_printf ("%s.address", ppath);

          if (!get_string (address, "streetAddress", apath, &street, error))
            return FALSE;
        }
      if (name == NULL && legal == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                       _("%s.name: required to add the organization with credit code %s"), ppath, upper);
          return FALSE;
        }
      procura_record_set_string (org, "name", legal != NULL ? legal : name);
      procura_record_set_string (org, "uscc", upper);
      procura_record_set_string (org, "kind", kind);
      if (street != NULL)
        procura_record_set_string (org, "address", street);
      if (!procura_store_insert (ctx->store, org, error))
        {
          g_prefix_error (error, "%s: ", ppath);
          return FALSE;
        }
      *org_id = g_steal_pointer (&new_id);
    }

  /* the exporter names a party CN-USCI-<code>; the release may not */
  {
    g_autofree char *ours = g_strconcat ("CN-USCI-", upper, NULL);

    if (strcmp (ours, id) != 0)
      json_object_set_string_member (ctx->idmap, ours, id);
  }
  return TRUE;
}

/* ---- workflow ------------------------------------------------------------ */

/* Rolling a savepoint back leaves records the release updated in the
 * store's transaction cache; a dry run of any write empties it. */
static void
forget_cached_records (ProcuraStore *store)
{
  g_autoptr(ProcuraRecord) nothing = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, "procura-ocds-import");

  procura_store_check_insert (store, nothing, NULL);
}


/* Takes a record along its workflow to target; the last step carries
 * final (fields only the target state may have). A refused step stops
 * there: *reason says why. */
static gboolean
walk_status (Ctx                     *ctx,
             const ProcuraEntityInfo *entity,
             const char              *id,
             const char              *from,
             const char              *target,
             ProcuraRecord           *final,
             char                   **reason,
             GError                 **error)
{
  g_autoptr(GPtrArray) path = NULL;

  *reason = NULL;
  if (g_strcmp0 (from, target) == 0)
    return TRUE;
  if (!(path = procura_workflow_path (entity, from, target)))
    {
      *reason = g_strdup_printf (_("cannot go from “%s” to “%s”"),
                                 procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), from),
                                 procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), target));
      return TRUE;
    }
  for (guint i = 0; i < path->len; i++)
    {
      g_autoptr(ProcuraRecord) step = final != NULL && i + 1 == path->len
                                      ? procura_record_copy (final) : procura_record_new (entity, id);
      g_autoptr(GError) local_error = NULL;

      procura_record_set_id (step, id);
      procura_record_set_string (step, entity->status_field, g_ptr_array_index (path, i));
      if (!procura_store_update (ctx->store, step, &local_error))
        {
          if (local_error->domain == PROCURA_ERROR &&
              (local_error->code == PROCURA_ERROR_STORE || local_error->code == PROCURA_ERROR_CORRUPT))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          *reason = g_strdup (local_error->message);
          return TRUE;
        }
    }
  return TRUE;
}

static gboolean
is_store_failure (const GError *error)
{
  return error->domain == PROCURA_ERROR &&
         (error->code == PROCURA_ERROR_STORE || error->code == PROCURA_ERROR_CORRUPT);
}

/* The record of id when it is a child of this kind in this project:
 * *existing set, TRUE. FALSE with *existing NULL when id is free; an
 * error set when the store fails. *taken when another record has it. */
static gboolean
own_child (Ctx                     *ctx,
           const ProcuraEntityInfo *entity,
           const char              *id,
           ProcuraRecord          **existing,
           gboolean                *taken,
           GError                 **error)
{
  g_autoptr(ProcuraRecord) any = NULL;
  g_autoptr(GError) local_error = NULL;

  *existing = NULL;
  *taken = FALSE;
  any = procura_store_find (ctx->store, id, &local_error);
  if (any == NULL && local_error != NULL && is_store_failure (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (any == NULL)
    return FALSE;
  if (procura_record_get_entity (any) == entity &&
      g_strcmp0 (procura_record_get_string (any, "project_id"), ctx->project_id) == 0)
    {
      *existing = g_steal_pointer (&any);
      return TRUE;
    }
  *taken = TRUE;
  return FALSE;
}

/* The Procura id of a child known under the release's id: the one the id
 * map gives, else the release's own when it is a UUID (an export of
 * ours) that is free or this project's, else one derived from the ocid
 * and the release's id. */
static char *
child_id (Ctx                     *ctx,
          const ProcuraEntityInfo *entity,
          const char              *scope,
          const char              *ocds_id,
          ProcuraRecord          **existing,
          GError                 **error)
{
  const char *known = g_hash_table_lookup (ctx->reverse, ocds_id);
  g_autoptr(GError) local_error = NULL;

  *existing = NULL;
  if (known != NULL)
    {
      *existing = procura_store_get (ctx->store, entity, known, &local_error);
      if (*existing != NULL)
        return g_strdup (known);
      if (is_store_failure (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);
    }
  if (g_uuid_string_is_valid (ocds_id))
    {
      gboolean taken;

      if (own_child (ctx, entity, ocds_id, existing, &taken, &local_error))
        return g_strdup (ocds_id);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (!taken)
        return g_strdup (ocds_id);
    }
  {
    /* an observation's id is unique within its metric only */
    g_autofree char *scoped = scope != NULL ? g_strconcat (scope, "\x1f", ocds_id, NULL) : NULL;
    g_autofree char *derived = derived_id (entity->name, ctx->release->ocid, scoped != NULL ? scoped : ocds_id);
    gboolean taken;

    if (own_child (ctx, entity, derived, existing, &taken, &local_error))
      return g_steal_pointer (&derived);
    if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return NULL;
      }
    if (!taken)
      return g_steal_pointer (&derived);
  }
  return g_uuid_string_random ();
}

static void
map_id (Ctx        *ctx,
        const char *procura_id,
        const char *ocds_id)
{
  if (strcmp (procura_id, ocds_id) != 0)
    json_object_set_string_member (ctx->idmap, procura_id, ocds_id);
  g_hash_table_replace (ctx->reverse, g_strdup (ocds_id), g_strdup (procura_id));
}

/* Writes a child: inserted in its initial state (or updated), then along
 * its workflow. A refusal becomes a note. */
static gboolean
write_child (Ctx                     *ctx,
             const ProcuraEntityInfo *entity,
             const char              *what,
             ProcuraRecord           *record,
             ProcuraRecord           *existing,
             const char              *target,
             ProcuraRecord           *final,
             gboolean                *reached,
             GError                 **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  const char *id = procura_record_get_id (record);
  const char *from;

  if (reached != NULL)
    *reached = FALSE;

  if (existing == NULL)
    {
      if (entity->status_field != NULL)
        procura_record_set_string (record, entity->status_field, procura_workflow_initial_state (entity));
      if (!procura_store_insert (ctx->store, record, &local_error))
        {
          if (is_store_failure (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          note (ctx, _("%s: not in the ledger, kept in the OCDS data only: %s"), what, local_error->message);
          return TRUE;
        }
      from = procura_workflow_initial_state (entity);
    }
  else
    {
      if (entity->status_field != NULL)
        procura_record_unset (record, procura_entity_field_index (entity, entity->status_field));
      if (!procura_store_update (ctx->store, record, &local_error))
        {
          if (is_store_failure (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          note (ctx, _("%s: not changed in the ledger: %s"), what, local_error->message);
          return TRUE;
        }
      from = entity->status_field != NULL ? procura_record_get_string (existing, entity->status_field) : NULL;
    }

  if (target != NULL && from != NULL)
    {
      if (!walk_status (ctx, entity, id, from, target, final, &reason, error))
        return FALSE;
      if (reason != NULL)
        {
          note (ctx, _("%s: status “%s” kept in the OCDS data only: %s"), what,
                procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), target), reason);
          return TRUE;
        }
    }
  if (reached != NULL)
    *reached = TRUE;
  return TRUE;
}

/* ---- one release ---------------------------------------------------------- */

static const char * const method_details[] = {
  "公开招标", "open_tender",
  "邀请招标", "invited_tender",
  "竞争性谈判", "competitive_negotiation",
  "竞争性磋商", "competitive_consultation",
  "单一来源", "single_source",
  "询价", "inquiry",
  "其他", "other",
  NULL
};

static const char *
lookup_pair (const char * const *pairs,
             const char         *key)
{
  for (guint i = 0; key != NULL && pairs[i] != NULL; i += 2)
    if (strcmp (pairs[i], key) == 0)
      return pairs[i + 1];
  return NULL;
}

/* The project number an ocid of ours names: the ocid without the prefix
 * this installation exports under or the default one. */
static char *
code_of_ocid (const char *prefix,
              const char *ocid)
{
  const char * const prefixes[] = { prefix, PROCURA_OCDS_DEFAULT_PREFIX };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      gsize n = prefixes[i] != NULL ? strlen (prefixes[i]) : 0;

      if (n > 0 && g_str_has_prefix (ocid, prefixes[i]) && ocid[n] == '-' && ocid[n + 1] != '\0')
        return g_strdup (ocid + n + 1);
    }
  return g_strdup (ocid);
}

static gboolean
import_milestones (Ctx         *ctx,
                   JsonArray   *milestones,
                   const char  *path,
                   GError     **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_MILESTONE;

  for (guint i = 0; milestones != NULL && i < json_array_get_length (milestones); i++)
    {
      JsonObject *m = json_array_get_object_element (milestones, i);
      g_autofree char *mpath = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *due = NULL, *met = NULL, *what = NULL, *id = NULL;
      const char *ocds_id, *title, *type, *code, *description, *status;
      g_autoptr(ProcuraRecord) existing = NULL;
      g_autoptr(ProcuraRecord) record = NULL;
      g_autoptr(ProcuraRecord) final = NULL;
      const char *target;

      if (!get_string (m, "id", mpath, &ocds_id, error) ||
          !get_string (m, "title", mpath, &title, error) ||
          !get_string (m, "type", mpath, &type, error) ||
          !get_string (m, "code", mpath, &code, error) ||
          !get_string (m, "description", mpath, &description, error) ||
          !get_string (m, "status", mpath, &status, error) ||
          !get_date (m, "dueDate", mpath, &due, error) ||
          !get_date (m, "dateMet", mpath, &met, error))
        return FALSE;
      if (ocds_id == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.id: required"), mpath);
          return FALSE;
        }
      what = g_strdup_printf ("%s (%s)", mpath, title != NULL ? title : ocds_id);
      if (!(id = child_id (ctx, entity, NULL, ocds_id, &existing, error)))
        return FALSE;

      record = procura_record_new (entity, id);
      if (existing == NULL)
        procura_record_set_string (record, "project_id", ctx->project_id);
      if (title != NULL || existing == NULL)
        procura_record_set_string (record, "title", title != NULL ? title : ocds_id);
      if (type != NULL && procura_field_lookup_enum (procura_entity_lookup_field (entity, "type"), type) != NULL)
        procura_record_set_string (record, "type", type);
      else if (existing == NULL)
        procura_record_set_string (record, "type", "delivery");
      if (code != NULL && procura_field_lookup_enum (procura_entity_lookup_field (entity, "code"), code) != NULL)
        procura_record_set_string (record, "code", code);
      if (description != NULL)
        procura_record_set_string (record, "description", description);
      if (due != NULL)
        procura_record_set_string (record, "due_date", due);
      if (met != NULL && g_strcmp0 (status, "met") != 0)
        procura_record_set_string (record, "date_met", met);

      /* met is accepted; scheduled and notMet (derived from the date) are
       * not yet accepted */
      target = g_strcmp0 (status, "met") == 0 ? "accepted" : NULL;
      if (target != NULL)
        {
          final = procura_record_new (entity, id);
          if (met != NULL)
            procura_record_set_string (final, "date_met", met);
        }
      if (!write_child (ctx, entity, what, record, existing, target, final, NULL, error))
        return FALSE;
      map_id (ctx, id, ocds_id);
    }
  return TRUE;
}

static gboolean
import_transactions (Ctx         *ctx,
                     JsonArray   *transactions,
                     const char  *path,
                     GError     **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PAYMENT;

  for (guint i = 0; transactions != NULL && i < json_array_get_length (transactions); i++)
    {
      JsonObject *t = json_array_get_object_element (transactions, i);
      g_autofree char *tpath = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *date = NULL, *what = NULL, *id = NULL;
      const char *ocds_id, *milestone_ocds_id = NULL, *milestone_title = NULL;
      JsonObject *related = NULL;
      gboolean has_amount;
      gint64 amount;
      g_autoptr(ProcuraRecord) existing = NULL;
      g_autoptr(ProcuraRecord) record = NULL;
      g_autoptr(ProcuraRecord) final = NULL;

      if (!get_string (t, "id", tpath, &ocds_id, error) ||
          !get_date (t, "date", tpath, &date, error) ||
          !get_amount (ctx, t, "value", tpath, &has_amount, &amount, error) ||
          !get_object (t, "relatedImplementationMilestone", tpath, &related, error))
        return FALSE;
      if (related != NULL)
        {
          g_autofree char *rpath = g_strdup_printf ("%s.relatedImplementationMilestone", tpath);

          if (!get_string (related, "id", rpath, &milestone_ocds_id, error) ||
              !get_string (related, "title", rpath, &milestone_title, error))
            return FALSE;
        }
      if (ocds_id == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.id: required"), tpath);
          return FALSE;
        }
      what = g_strdup_printf ("%s (%s)", tpath, ocds_id);
      if (!has_amount || date == NULL)
        {
          note (ctx, _("%s: without a date and an amount, kept in the OCDS data only"), what);
          continue;
        }
      if (!(id = child_id (ctx, entity, NULL, ocds_id, &existing, error)))
        return FALSE;

      record = procura_record_new (entity, id);
      if (existing == NULL)
        {
          procura_record_set_string (record, "project_id", ctx->project_id);
          procura_record_set_string (record, "title", milestone_title != NULL ? milestone_title : ocds_id);
          procura_record_set_int (record, "planned_amount", amount);
          procura_record_set_string (record, "planned_date", date);
          if (milestone_ocds_id != NULL && g_hash_table_lookup (ctx->reverse, milestone_ocds_id) != NULL)
            procura_record_set_string (record, "milestone_id", g_hash_table_lookup (ctx->reverse, milestone_ocds_id));
        }
      final = procura_record_new (entity, id);
      procura_record_set_string (final, "paid_date", date);
      procura_record_set_int (final, "paid_amount", amount);
      /* paying needs a voucher number, which OCDS does not carry: the
       * transaction's id stands in, never over one the ledger has */
      if (existing == NULL || procura_record_get_string (existing, "voucher_no") == NULL)
        procura_record_set_string (final, "voucher_no", ocds_id);
      if (existing != NULL && g_strcmp0 (procura_record_get_string (existing, "status"), "paid") == 0)
        {
          /* already paid: the date and amount may have been corrected */
          if (!write_child (ctx, entity, what, final, existing, NULL, NULL, NULL, error))
            return FALSE;
        }
      else
        {
          gboolean paid;

          /* a transaction is a payment made: a tranche that cannot be
           * paid is not left behind as a planned one */
          if (!_procura_store_exec (ctx->store, "SAVEPOINT ocds_transaction", error) ||
              !write_child (ctx, entity, what, record, existing, "paid", final, &paid, error))
            return FALSE;
          if (!paid &&
              (!_procura_store_exec (ctx->store, "ROLLBACK TO ocds_transaction", error)))
            return FALSE;
          if (!_procura_store_exec (ctx->store, "RELEASE ocds_transaction", error))
            return FALSE;
          if (!paid)
            {
              forget_cached_records (ctx->store);
              continue;
            }
        }
      map_id (ctx, id, ocds_id);
    }
  return TRUE;
}

static gboolean
import_amendments (Ctx         *ctx,
                   JsonArray   *amendments,
                   const char  *path,
                   gint64       delta,
                   GError     **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_AMENDMENT;
  guint n = amendments != NULL ? json_array_get_length (amendments) : 0;
  gboolean own_changes = FALSE;

  /* our exports say what each amendment changed the value by */
  for (guint i = 0; i < n; i++)
    if (json_object_has_member (json_array_get_object_element (amendments, i), "valueChange"))
      own_changes = TRUE;

  for (guint i = 0; i < n; i++)
    {
      JsonObject *a = json_array_get_object_element (amendments, i);
      g_autofree char *apath = g_strdup_printf ("%s[%u]", path, i);
      g_autofree char *date = NULL, *what = NULL, *id = NULL;
      const char *ocds_id, *rationale, *description;
      g_autoptr(ProcuraRecord) existing = NULL;
      g_autoptr(ProcuraRecord) record = NULL;
      gboolean has_change;
      gint64 change;

      if (!get_amount (ctx, a, "valueChange", apath, &has_change, &change, error) ||
          !get_string (a, "id", apath, &ocds_id, error) ||
          !get_string (a, "rationale", apath, &rationale, error) ||
          !get_string (a, "description", apath, &description, error) ||
          !get_date (a, "date", apath, &date, error))
        return FALSE;
      if (ocds_id == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.id: required"), apath);
          return FALSE;
        }
      what = g_strdup_printf ("%s (%s)", apath, ocds_id);
      if (!(id = child_id (ctx, entity, NULL, ocds_id, &existing, error)))
        return FALSE;
      record = procura_record_new (entity, id);
      if (existing == NULL)
        procura_record_set_string (record, "project_id", ctx->project_id);
      if (date != NULL)
        procura_record_set_string (record, "date", date);
      if (rationale != NULL)
        procura_record_set_string (record, "rationale", rationale);
      if (description != NULL)
        procura_record_set_string (record, "description", description);
      /* OCDS amendments carry no value (ours add valueChange); else the
       * award's and the contract's values differ by what they added,
       * given to the last one */
      if (own_changes && has_change)
        procura_record_set_int (record, "value_delta", change);
      else if (!own_changes && existing == NULL && i + 1 == n && delta != 0)
        procura_record_set_int (record, "value_delta", delta);
      if (!write_child (ctx, entity, what, record, existing, NULL, NULL, NULL, error))
        return FALSE;
      map_id (ctx, id, ocds_id);
    }
  return TRUE;
}

/* ---- outcome indicators (metrics extension) --------------------------------- */

/* An observation's measure in hundredths: a number, or a numeric text. */
static gboolean
get_measure (JsonObject  *object,
             const char  *path,
             gboolean    *has,
             gint64      *out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, "measure");
  g_autofree char *p = g_strdup_printf ("%s.measure", path);

  *has = FALSE;
  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      if (!procura_decimal_parse (json_node_get_string (node), p, out, error))
        return FALSE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);

      if (v > PROCURA_DECIMAL_MAX / 100 || v < -PROCURA_DECIMAL_MAX / 100)
        return wrong_type (p, _("too large"), error);
      *out = v * 100;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      const char *reason = double_to_hundredths (json_node_get_double (node), PROCURA_DECIMAL_MAX, out);

      if (reason != NULL)
        return wrong_type (p, reason, error);
    }
  else
    return wrong_type (p, _("must be a number"), error);
  *has = TRUE;
  return TRUE;
}

typedef struct
{
  char    *start, *end, *comment;
  gboolean has_target, has_actual;
  gint64   target, actual;
  char    *path;
} Observation;

typedef struct
{
  const char *id;
  const char *title;
  const char *unit;
  char       *path;
  gboolean    has_target, has_baseline;
  gint64      target, baseline;
  char       *baseline_date;
  GPtrArray  *period_ids;   /* observation ids in order */
  GHashTable *periods;      /* observation id → Observation */
} Metric;

static void
observation_free (Observation *o)
{
  g_free (o->start);
  g_free (o->end);
  g_free (o->comment);
  g_free (o->path);
  g_free (o);
}

static void
metric_free (Metric *m)
{
  g_free (m->path);
  g_free (m->baseline_date);
  g_ptr_array_unref (m->period_ids);
  g_hash_table_unref (m->periods);
  g_free (m);
}

/* Reads agreedMetrics (agreed = TRUE: targets) or implementation.metrics
 * (actuals and the baseline) into metrics. */
static gboolean
read_metrics (JsonArray   *array,
              const char  *path,
              gboolean     agreed,
              GPtrArray   *order,
              GHashTable  *metrics,
              GError     **error)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      g_autofree char *mpath = g_strdup_printf ("%s[%u]", path, i);
      const char *id, *title;
      JsonArray *observations;
      Metric *m;

      if (!get_string (object, "id", mpath, &id, error) ||
          !get_string (object, "title", mpath, &title, error) ||
          !get_objects (object, "observations", mpath, &observations, error))
        return FALSE;
      if (id == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.id: required"), mpath);
          return FALSE;
        }
      if ((m = g_hash_table_lookup (metrics, id)) == NULL)
        {
          m = g_new0 (Metric, 1);
          m->id = id;
          m->path = g_strdup (mpath);
          m->period_ids = g_ptr_array_new ();
          m->periods = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) observation_free);
          g_hash_table_insert (metrics, (gpointer) id, m);
          g_ptr_array_add (order, m);
        }
      if (title != NULL)
        m->title = title;

      for (guint j = 0; observations != NULL && j < json_array_get_length (observations); j++)
        {
          JsonObject *obs = json_array_get_object_element (observations, j);
          g_autofree char *opath = g_strdup_printf ("%s.observations[%u]", mpath, j);
          g_autofree char *ppath = g_strdup_printf ("%s.period", opath);
          g_autofree char *upath = g_strdup_printf ("%s.unit", opath);
          g_autofree char *start = NULL, *end = NULL;
          const char *oid, *notes, *unit = NULL;
          JsonObject *period, *unit_object;
          gboolean has;
          gint64 value;
          Observation *o;

          if (!get_string (obs, "id", opath, &oid, error) ||
              !get_string (obs, "notes", opath, &notes, error) ||
              !get_object (obs, "period", opath, &period, error) ||
              !get_object (obs, "unit", opath, &unit_object, error) ||
              !get_string (unit_object, "name", upath, &unit, error) ||
              !get_date (period, "startDate", ppath, &start, error) ||
              !get_date (period, "endDate", ppath, &end, error) ||
              !get_measure (obs, opath, &has, &value, error))
            return FALSE;
          if (unit != NULL)
            m->unit = unit;
          if (oid == NULL)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.id: required"), opath);
              return FALSE;
            }
          if (!has)
            continue;
          if (agreed && strcmp (oid, "target") == 0)
            {
              m->has_target = TRUE;
              m->target = value;
              continue;
            }
          if (!agreed && strcmp (oid, "baseline") == 0)
            {
              m->has_baseline = TRUE;
              m->baseline = value;
              g_free (m->baseline_date);
              m->baseline_date = g_steal_pointer (&end);
              continue;
            }
          if ((o = g_hash_table_lookup (m->periods, oid)) == NULL)
            {
              o = g_new0 (Observation, 1);
              o->path = g_strdup (opath);
              g_hash_table_insert (m->periods, (gpointer) oid, o);
              g_ptr_array_add (m->period_ids, (gpointer) oid);
            }
          if (start != NULL)
            set_str (&o->start, start);
          if (end != NULL)
            set_str (&o->end, end);
          if (agreed)
            {
              o->has_target = TRUE;
              o->target = value;
            }
          else
            {
              o->has_actual = TRUE;
              o->actual = value;
              if (notes != NULL)
                set_str (&o->comment, notes);
            }
        }
    }
  return TRUE;
}

static gboolean
import_metrics (Ctx         *ctx,
                JsonArray   *agreed,
                const char  *agreed_path,
                JsonArray   *results,
                const char  *results_path,
                GError     **error)
{
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func ((GDestroyNotify) metric_free);
  g_autoptr(GHashTable) metrics = g_hash_table_new (g_str_hash, g_str_equal);

  if (!read_metrics (agreed, agreed_path, TRUE, order, metrics, error) ||
      !read_metrics (results, results_path, FALSE, order, metrics, error))
    return FALSE;

  for (guint i = 0; i < order->len; i++)
    {
      Metric *m = g_ptr_array_index (order, i);
      g_autoptr(ProcuraRecord) existing = NULL;
      g_autoptr(ProcuraRecord) record = NULL;
      g_autofree char *id = NULL, *what = NULL;
      guint notes_before = ctx->release->notes != NULL ? ctx->release->notes->len : 0;

      what = g_strdup_printf ("%s (%s)", m->path, m->title != NULL ? m->title : m->id);
      if (!(id = child_id (ctx, PROCURA_ENTITY_INDICATOR, NULL, m->id, &existing, error)))
        return FALSE;
      record = procura_record_new (PROCURA_ENTITY_INDICATOR, id);
      if (existing == NULL)
        {
          /* not in OCDS: how the indicator is read; officers adjust it */
          procura_record_set_string (record, "project_id", ctx->project_id);
          procura_record_set_string (record, "result_type", "outcome");
          procura_record_set_string (record, "measure", "unit");
          procura_record_set_bool (record, "ascending", TRUE);
        }
      if (m->title != NULL || existing == NULL)
        procura_record_set_string (record, "title", m->title != NULL ? m->title : m->id);
      if (m->unit != NULL)
        procura_record_set_string (record, "unit", m->unit);
      if (m->has_target)
        procura_record_set_int (record, "target_value", m->target);
      if (m->has_baseline)
        {
          procura_record_set_int (record, "baseline_value", m->baseline);
          if (m->baseline_date != NULL)
            procura_record_set_string (record, "baseline_date", m->baseline_date);
        }
      if (!write_child (ctx, PROCURA_ENTITY_INDICATOR, what, record, existing, NULL, NULL, NULL, error))
        return FALSE;
      /* refused: its periods cannot go in either */
      if (ctx->release->notes != NULL && ctx->release->notes->len > notes_before && existing == NULL)
        continue;
      map_id (ctx, id, m->id);

      for (guint j = 0; j < m->period_ids->len; j++)
        {
          const char *oid = g_ptr_array_index (m->period_ids, j);
          Observation *o = g_hash_table_lookup (m->periods, oid);
          g_autoptr(ProcuraRecord) old = NULL;
          g_autoptr(ProcuraRecord) period = NULL;
          g_autofree char *pid = NULL, *pwhat = g_strdup_printf ("%s (%s)", o->path, oid);

          if (!(pid = child_id (ctx, PROCURA_ENTITY_INDICATOR_PERIOD, m->id, oid, &old, error)))
            return FALSE;
          period = procura_record_new (PROCURA_ENTITY_INDICATOR_PERIOD, pid);
          if (old == NULL)
            {
              procura_record_set_string (period, "project_id", ctx->project_id);
              procura_record_set_string (period, "indicator_id", id);
            }
          if (o->start != NULL)
            procura_record_set_string (period, "period_start", o->start);
          if (o->end != NULL)
            procura_record_set_string (period, "period_end", o->end);
          if (o->has_target)
            procura_record_set_int (period, "target_value", o->target);
          if (o->has_actual)
            procura_record_set_int (period, "actual_value", o->actual);
          if (o->comment != NULL)
            procura_record_set_string (period, "comment", o->comment);
          if (!write_child (ctx, PROCURA_ENTITY_INDICATOR_PERIOD, pwhat, period, old, NULL, NULL, NULL, error))
            return FALSE;
          map_id (ctx, pid, oid);
        }
    }
  return TRUE;
}

/* Takes the project along its workflow to target (NULL: stays). */
static gboolean
project_step (Ctx         *ctx,
              const char  *target,
              const char  *contract_path,
              const char  *contract_status,
              GError     **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;
  g_autoptr(ProcuraRecord) now = NULL;
  g_autofree char *reason = NULL;

  if (target == NULL)
    return TRUE;
  if (!(now = procura_store_get (ctx->store, entity, ctx->project_id, error)))
    return FALSE;
  if (!walk_status (ctx, entity, ctx->project_id, procura_record_get_string (now, "status"), target, NULL,
                    &reason, error))
    return FALSE;
  if (reason != NULL)
    note (ctx, _("%s.status: “%s” kept in the OCDS data only: %s"), contract_path, contract_status, reason);
  return TRUE;
}

static gboolean
write_release (ProcuraOcdsImport *self,
               ProcuraStore      *store,
               Release           *release,
               GError           **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;
  g_autofree char *rpath = g_strdup_printf ("releases[%u]", release->index);
  g_autoptr(JsonNode) kept = NULL;
  g_autoptr(JsonObject) idmap = NULL;
  g_autoptr(JsonObject) compiled = NULL;
  g_autoptr(GHashTable) reverse = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(ProcuraRecord) existing = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autofree char *project_id = NULL, *code = NULL;
  g_autofree char *start = NULL, *end = NULL, *signed_date = NULL;
  g_autofree char *buyer_id = NULL, *agency_id = NULL;
  JsonObject *r = release->object;
  JsonObject *tender = NULL, *planning = NULL, *buyer = NULL, *award = NULL, *contract = NULL;
  JsonObject *implementation = NULL, *period = NULL;
  JsonArray *parties = NULL, *awards = NULL, *contracts = NULL, *suppliers = NULL;
  JsonArray *milestones = NULL, *transactions = NULL, *amendments = NULL;
  const char *id, *title = NULL, *description = NULL, *method = NULL, *method_code = NULL;
  const char *contract_id = NULL, *contract_status = NULL, *tender_status = NULL;
  g_autofree char *award_path = g_strdup_printf ("%s.awards[0]", rpath);
  g_autofree char *contract_path = g_strdup_printf ("%s.contracts[0]", rpath);
  g_autofree char *impl_path = g_strdup_printf ("%s.contracts[0].implementation", rpath);
  gboolean has_budget, has_award_value, has_contract_value, has_tender_value = FALSE;
  gint64 budget, award_value, contract_value, tender_value = 0;
  const char *target = NULL, *first;
  Ctx ctx = { store, release, NULL, reverse, NULL, NULL, NULL };

  if (r == NULL)
    return wrong_type (rpath, _("must be an object"), error);
  if (!get_string (r, "id", rpath, &id, error))
    return FALSE;
  if (release->ocid == NULL || id == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED, _("%s.%s: required"), rpath,
                   release->ocid == NULL ? "ocid" : "id");
      return FALSE;
    }

  /* structure and types first: nothing is written for a malformed release */
  if (!get_object (r, "tender", rpath, &tender, error) ||
      !get_object (r, "planning", rpath, &planning, error) ||
      !get_object (r, "buyer", rpath, &buyer, error) ||
      !get_objects (r, "parties", rpath, &parties, error) ||
      !get_objects (r, "awards", rpath, &awards, error) ||
      !get_objects (r, "contracts", rpath, &contracts, error))
    return FALSE;
  award = first_object (awards);
  contract = first_object (contracts);
  if (tender != NULL)
    {
      g_autofree char *tpath = g_strdup_printf ("%s.tender", rpath);

      if (!get_string (tender, "title", tpath, &title, error) ||
          !get_string (tender, "description", tpath, &description, error) ||
          !get_string (tender, "procurementMethod", tpath, &method, error) ||
          !get_string (tender, "procurementMethodDetails", tpath, &method_code, error) ||
          !get_string (tender, "status", tpath, &tender_status, error) ||
          !get_amount (&ctx, tender, "value", tpath, &has_tender_value, &tender_value, error))
        return FALSE;
    }
  if (planning != NULL)
    {
      g_autofree char *ppath = g_strdup_printf ("%s.planning", rpath);
      JsonObject *budget_object;

      if (!get_object (planning, "budget", ppath, &budget_object, error))
        return FALSE;
      g_free (ppath);
      ppath = g_strdup_printf ("%s.planning.budget", rpath);
      if (!get_amount (&ctx, budget_object, "amount", ppath, &has_budget, &budget, error))
        return FALSE;
    }
  else
    has_budget = FALSE;
  if (!get_amount (&ctx, award, "value", award_path, &has_award_value, &award_value, error) ||
      !get_objects (award, "suppliers", award_path, &suppliers, error) ||
      !get_amount (&ctx, contract, "value", contract_path, &has_contract_value, &contract_value, error) ||
      !get_string (contract, "id", contract_path, &contract_id, error) ||
      !get_string (contract, "status", contract_path, &contract_status, error) ||
      !get_date (contract, "dateSigned", contract_path, &signed_date, error) ||
      !get_object (contract, "period", contract_path, &period, error) ||
      !get_object (contract, "implementation", contract_path, &implementation, error) ||
      !get_objects (contract, "amendments", contract_path, &amendments, error) ||
      !get_objects (implementation, "milestones", impl_path, &milestones, error) ||
      !get_objects (implementation, "transactions", impl_path, &transactions, error))
    return FALSE;
  if (period == NULL && award != NULL && !get_object (award, "contractPeriod", award_path, &period, error))
    return FALSE;
  {
    g_autofree char *ppath = g_strdup_printf ("%s.%s", contract != NULL && json_object_has_member (contract, "period")
                                              ? contract_path : award_path,
                                              contract != NULL && json_object_has_member (contract, "period")
                                              ? "period" : "contractPeriod");

    if (!get_date (period, "startDate", ppath, &start, error) ||
        !get_date (period, "endDate", ppath, &end, error))
      return FALSE;
  }

  /* the project */
  if (!_procura_ocds_preserve_find (store, release->ocid, &project_id, error))
    return FALSE;
  code = code_of_ocid (self->prefix, release->ocid);
  if (project_id == NULL)
    {
      g_autoptr(GPtrArray) found = procura_store_list (store, entity, "code", code, error);

      if (found == NULL)
        return FALSE;
      if (found->len > 0)
        project_id = g_strdup (procura_record_get_id (g_ptr_array_index (found, 0)));
    }
  if (project_id == NULL)
    {
      /* the id another device gave the project imported from this ocid */
      g_autoptr(ProcuraRecord) any = NULL;
      g_autoptr(GError) local_error = NULL;

      project_id = derived_id ("project", release->ocid, NULL);
      any = procura_store_find (store, project_id, &local_error);
      if (any == NULL && local_error != NULL && is_store_failure (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (any != NULL && procura_record_get_entity (any) != entity)
        {
          g_free (project_id);
          project_id = g_uuid_string_random ();
        }
      else if (any != NULL &&
               (!(existing = procura_store_get (store, entity, project_id, error)) ||
                !_procura_ocds_preserve_load (store, project_id, &kept, &idmap, error)))
        return FALSE;
    }
  else
    {
      if (!(existing = procura_store_get (store, entity, project_id, error)) ||
          !_procura_ocds_preserve_load (store, project_id, &kept, &idmap, error))
        return FALSE;
    }
  if (idmap == NULL)
    idmap = json_object_new ();
  compiled = kept != NULL && JSON_NODE_HOLDS_OBJECT (kept)
             ? json_object_ref (json_node_get_object (kept)) : json_object_new ();
  procura_ocds_preserve_merge_release (compiled, r);
  {
    g_autoptr(GList) members = json_object_get_members (idmap);

    for (GList *l = members; l != NULL; l = l->next)
      g_hash_table_replace (reverse, g_strdup (json_object_get_string_member (idmap, l->data)), g_strdup (l->data));
  }
  ctx.idmap = idmap;
  ctx.code = code;
  ctx.project_id = project_id;
  g_free (release->project_id);
  release->project_id = g_strdup (project_id);

  /* parties */
  if (buyer != NULL && !resolve_party (&ctx, compiled, buyer, "other", &buyer_id, error))
    return FALSE;
  if (suppliers != NULL && json_array_get_length (suppliers) > 0 &&
      !resolve_party (&ctx, compiled, json_array_get_object_element (suppliers, 0), "social_work_agency",
                      &agency_id, error))
    return FALSE;

  changes = procura_record_new (entity, project_id);
  if (existing == NULL)
    {
      procura_record_set_string (changes, "code", code);
      procura_record_set_string (changes, "category", "other");
      procura_record_set_string (changes, "status", procura_workflow_initial_state (entity));
      if (title == NULL)
        title = contract != NULL && string_member (contract, "title") != NULL ? string_member (contract, "title")
                : award != NULL && string_member (award, "title") != NULL ? string_member (award, "title")
                : release->ocid;
      if (description == NULL)
        description = contract != NULL && string_member (contract, "description") != NULL
                      ? string_member (contract, "description") : string_member (award, "description");
    }
  if (title != NULL)
    procura_record_set_string (changes, "title", title);
  if (description != NULL)
    procura_record_set_string (changes, "description", description);
  if (lookup_pair (method_details, method_code) != NULL)
    procura_record_set_string (changes, "method", lookup_pair (method_details, method_code));
  else if (g_strcmp0 (method, "open") == 0)
    procura_record_set_string (changes, "method", "open_tender");
  else if (g_strcmp0 (method, "direct") == 0)
    procura_record_set_string (changes, "method", "single_source");
  else if (existing == NULL)
    procura_record_set_string (changes, "method", "other");
  if (has_budget)
    procura_record_set_int (changes, "budget", budget);
  if (buyer_id != NULL)
    procura_record_set_string (changes, "buyer_id", buyer_id);
  if (agency_id != NULL)
    procura_record_set_string (changes, "agency_id", agency_id);
  if (has_award_value)
    procura_record_set_int (changes, "value", award_value);
  else if (has_contract_value)
    procura_record_set_int (changes, "value", contract_value);
  else if (has_tender_value)
    /* before an award, what the tender expects it to cost */
    procura_record_set_int (changes, "value", tender_value);
  if (start != NULL)
    procura_record_set_string (changes, "start_date", start);
  if (end != NULL)
    procura_record_set_string (changes, "end_date", end);
  if (contract_id != NULL && strcmp (contract_id, code) != 0)
    procura_record_set_string (changes, "contract_no", contract_id);
  if (signed_date != NULL)
    procura_record_set_string (changes, "date_signed", signed_date);

  if (existing == NULL ? !procura_store_insert (store, changes, error)
                       : !procura_store_update (store, changes, error))
    return FALSE;
  if (tender != NULL && string_member (tender, "id") != NULL && strcmp (string_member (tender, "id"), code) != 0)
    json_object_set_string_member (idmap, code, string_member (tender, "id"));
  if (award != NULL && string_member (award, "id") != NULL)
    {
      g_autofree char *ours = g_strdup_printf ("%s-award", code);

      json_object_set_string_member (idmap, ours, string_member (award, "id"));
    }

  /* the contract's state: pending is a draft; terminated is completed
   * when the contract completion extension says how it ended */
  if (g_strcmp0 (contract_status, "active") == 0)
    target = "active";
  else if (g_strcmp0 (contract_status, "cancelled") == 0)
    target = "cancelled";
  else if (g_strcmp0 (contract_status, "terminated") == 0)
    target = implementation != NULL && json_object_has_member (implementation, "finalValue") ? "completed" : "terminated";
  /* without a contract, a tender cancelled or under way says it */
  else if (contract == NULL && g_strcmp0 (tender_status, "cancelled") == 0)
    target = "cancelled";
  else if (contract == NULL && g_strcmp0 (tender_status, "active") == 0)
    target = "active";
  /* in force before its amendments, milestones and payments; ended
   * after them (completion needs the final milestone accepted) */
  first = g_strcmp0 (target, "completed") == 0 || g_strcmp0 (target, "terminated") == 0 ? "active" : target;
  if (!project_step (&ctx, first, contract_path, contract_status, error))
    return FALSE;

  {
    g_autofree char *apath = g_strdup_printf ("%s.amendments", contract_path);
    g_autofree char *mpath = g_strdup_printf ("%s.milestones", impl_path);
    g_autofree char *tpath = g_strdup_printf ("%s.transactions", impl_path);
    gint64 delta = has_award_value && has_contract_value ? contract_value - award_value : 0;

    g_autofree char *agreed_path = g_strdup_printf ("%s.agreedMetrics", contract_path);
    g_autofree char *metrics_path = g_strdup_printf ("%s.metrics", impl_path);
    JsonArray *agreed = NULL, *results = NULL;

    if (!get_objects (contract, "agreedMetrics", contract_path, &agreed, error) ||
        !get_objects (implementation, "metrics", impl_path, &results, error))
      return FALSE;
    if (!import_amendments (&ctx, amendments, apath, delta, error) ||
        !import_milestones (&ctx, milestones, mpath, error) ||
        !import_transactions (&ctx, transactions, tpath, error) ||
        !import_metrics (&ctx, agreed, agreed_path, results, metrics_path, error))
      return FALSE;
  }

  if (g_strcmp0 (first, target) != 0 && !project_step (&ctx, target, contract_path, contract_status, error))
    return FALSE;

  return _procura_ocds_preserve_save (store, project_id, release->ocid, compiled, idmap, error);
}

/* ---- the run ------------------------------------------------------------- */

static gint
compare_releases (gconstpointer a,
                  gconstpointer b)
{
  const Release *ra = *(const Release * const *) a;
  const Release *rb = *(const Release * const *) b;
  int c = g_strcmp0 (ra->ocid, rb->ocid);

  if (c == 0)
    c = g_strcmp0 (ra->date, rb->date);
  if (c == 0)
    c = ra->index < rb->index ? -1 : ra->index > rb->index;
  return c;
}

gboolean
procura_ocds_import_run (ProcuraOcdsImport  *self,
                         ProcuraStore       *store,
                         ProcuraImportMode   mode,
                         GError            **error)
{
  g_autoptr(GPtrArray) order = NULL;
  guint n_good = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (!procura_store_in_transaction (store), FALSE);

  self->n_problems = 0;
  self->n_written = 0;
  order = g_ptr_array_sized_new (self->releases->len);
  for (guint i = 0; i < self->releases->len; i++)
    g_ptr_array_add (order, get_release (self, i));
  g_ptr_array_sort (order, compare_releases);

  if (!procura_store_begin (store, error))
    return FALSE;

  for (guint i = 0; i < order->len; i++)
    {
      Release *release = g_ptr_array_index (order, i);
      g_autoptr(GError) release_error = NULL;

      g_clear_pointer (&release->problem, g_free);
      g_clear_pointer (&release->notes, g_ptr_array_unref);
      g_clear_pointer (&release->project_id, g_free);

      if (!_procura_store_exec (store, "SAVEPOINT ocds_release", error))
        {
          procura_store_rollback (store);
          return FALSE;
        }
      if (write_release (self, store, release, &release_error))
        {
          if (!_procura_store_exec (store, "RELEASE ocds_release", error))
            {
              procura_store_rollback (store);
              return FALSE;
            }
          n_good++;
          continue;
        }
      if (!_procura_store_exec (store, "ROLLBACK TO ocds_release", error) ||
          !_procura_store_exec (store, "RELEASE ocds_release", error))
        {
          procura_store_rollback (store);
          return FALSE;
        }
      forget_cached_records (store);
      if (is_store_failure (release_error))
        {
          procura_store_rollback (store);
          g_propagate_error (error, g_steal_pointer (&release_error));
          return FALSE;
        }
      /* Translators: "Release <ocid> / <release id>: <path>: <reason>" */
      release->problem = g_strdup_printf (_("Release %s: %s"), release->label, release_error->message);
      g_clear_pointer (&release->notes, g_ptr_array_unref);
      self->n_problems++;
    }

  if (mode == PROCURA_IMPORT_DRY_RUN ||
      (mode == PROCURA_IMPORT_ALL_OR_NONE && self->n_problems > 0) ||
      n_good == 0)
    {
      procura_store_rollback (store);
      return TRUE;
    }
  if (!procura_store_commit (store, error))
    return FALSE;
  self->n_written = n_good;
  return TRUE;
}
