/* procura-xlsx-reader.c — the cells of an .xlsx workbook's first worksheet
 *
 * Debian packages no .xlsx reader, so this is one, small and strict: the
 * workbook is a zip (read with libarchive) of XML parts (read with
 * libxml2's streaming reader). The parts are found the way Office Open
 * XML says, not by their usual names: _rels/.rels names the workbook,
 * the workbook's relationships name its sheets and shared strings, and
 * the first sheet the workbook lists is the one read (the first visible
 * one when the first is hidden).
 *
 * Values come back as the text the XML holds: numbers exactly as written
 * ("11000000", "1.5E+3"), never through a double, so that money stays
 * exact; dates are the day numbers Excel stores, which the date parser
 * reads. Cell styles are not read: the import does not need them.
 *
 * A workbook is untrusted input: each part is read at most
 * PROCURA_XLSX_MAX_PART_SIZE bytes uncompressed (whatever the zip claims),
 * the zip may hold a bounded number of entries, the XML parser fetches
 * nothing and substitutes no entities, rows and columns stay within
 * Excel's limits and cells and shared strings within a few million.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <libxml/xmlreader.h>
#include <stdlib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-xlsx-reader.h"

#define MAX_ENTRIES 100000
#define MAX_ROWS    1048576u  /* Excel's limits */
#define MAX_COLUMNS 16384u
/* far beyond any ledger (20,000 rows × 20 columns is 400,000), and what
 * keeps a sheet within its part's bound from taking gigabytes */
#define MAX_CELLS   5000000u
#define MAX_STRINGS 5000000u
/* the text of all the cells together: a shared string is stored once but
 * each cell showing it is a copy for whoever reads the sheet, so a small
 * file can claim gigabytes; a ledger holds a few megabytes */
#define MAX_TEXT_BYTES (256u * 1024u * 1024u)

#define REL_OFFICE_DOCUMENT "/officeDocument"
#define REL_WORKSHEET       "/worksheet"
#define REL_SHARED_STRINGS  "/sharedStrings"

struct _ProcuraXlsxSheet
{
  char     *name;
  GArray   *rows;  /* ProcuraXlsxRow */
  gboolean  date1904;
};

static void
row_clear (gpointer data)
{
  ProcuraXlsxRow *row = data;

  for (guint i = 0; i < row->n_cells; i++)
    g_free (row->cells[i].text);
  g_free (row->cells);
}

void
procura_xlsx_sheet_free (ProcuraXlsxSheet *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_clear_pointer (&self->rows, g_array_unref);
  g_free (self);
}

const char *
procura_xlsx_sheet_get_name (ProcuraXlsxSheet *self)
{
  return self->name;
}

gboolean
procura_xlsx_sheet_get_date1904 (ProcuraXlsxSheet *self)
{
  return self->date1904;
}

guint
procura_xlsx_sheet_get_n_rows (ProcuraXlsxSheet *self)
{
  return self->rows->len;
}

const ProcuraXlsxRow *
procura_xlsx_sheet_get_row (ProcuraXlsxSheet *self,
                            guint             index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return &g_array_index (self->rows, ProcuraXlsxRow, index);
}

/* ---- the zip ------------------------------------------------------------- */

typedef struct
{
  const char  *data;
  gsize        length;
  const char  *file_name;
} Zip;

/* Reads the parts named in wanted (keys: part names in lower case, as
 * zip names in a package compare without case) into its values (GBytes);
 * absent parts keep a NULL value. */
static gboolean
zip_read_parts (const Zip   *zip,
                GHashTable  *wanted,
                GError     **error)
{
  struct archive *archive = archive_read_new ();
  struct archive_entry *entry;
  gboolean ok = FALSE;
  guint n_entries = 0;
  int r;

  archive_read_support_format_zip (archive);
  if (archive_read_open_memory (archive, zip->data, zip->length) != ARCHIVE_OK)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s: the file; %s: libarchive's reason (English) */
                   _("%s: not an XLSX workbook: %s"), zip->file_name, archive_error_string (archive));
      goto out;
    }

  while ((r = archive_read_next_header (archive, &entry)) != ARCHIVE_EOF)
    {
      const char *pathname;
      g_autofree char *key = NULL;
      g_autoptr(GByteArray) bytes = NULL;
      char buffer[65536];
      la_ssize_t n;

      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: not an XLSX workbook: %s"), zip->file_name, archive_error_string (archive));
          goto out;
        }
      if (++n_entries > MAX_ENTRIES)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: the zip holds more than %u parts; refused"), zip->file_name, MAX_ENTRIES);
          goto out;
        }

      pathname = archive_entry_pathname (entry);
      key = g_ascii_strdown (pathname != NULL ? pathname : "", -1);
      if (!g_hash_table_contains (wanted, key) || g_hash_table_lookup (wanted, key) != NULL)
        continue;

      /* the size the zip declares may lie: count what inflates */
      bytes = g_byte_array_new ();
      while ((n = archive_read_data (archive, buffer, sizeof buffer)) > 0)
        {
          if (bytes->len + (gsize) n > PROCURA_XLSX_MAX_PART_SIZE)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           /* Translators: %s: the file; %s: the part inside it,
                            * e.g. xl/worksheets/sheet1.xml */
                           _("%s: %s is larger than %u MiB uncompressed; refused"),
                           zip->file_name, pathname, PROCURA_XLSX_MAX_PART_SIZE / (1024u * 1024u));
              goto out;
            }
          g_byte_array_append (bytes, (const guint8 *) buffer, (guint) n);
        }
      if (n < 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: %s cannot be read: %s"), zip->file_name, pathname, archive_error_string (archive));
          goto out;
        }
      g_hash_table_insert (wanted, g_steal_pointer (&key), g_byte_array_free_to_bytes (g_steal_pointer (&bytes)));
    }
  ok = TRUE;

out:
  archive_read_free (archive);
  return ok;
}

static GBytes *
zip_read_part (const Zip   *zip,
               const char  *part,
               GError     **error)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_bytes_unref);
  g_autofree char *key = g_ascii_strdown (part, -1);
  GBytes *bytes;

  g_hash_table_insert (wanted, g_strdup (key), NULL);
  if (!zip_read_parts (zip, wanted, error))
    return NULL;
  bytes = g_hash_table_lookup (wanted, key);

  return bytes != NULL ? g_bytes_ref (bytes) : NULL;
}

/* A relationship's target, resolved against the directory of the part
 * that names it ("worksheets/sheet1.xml" from xl/workbook.xml is
 * xl/worksheets/sheet1.xml; "/xl/…" is from the package's root). */
static char *
resolve_target (const char *source_part,
                const char *target)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new ();
  g_autofree char *dir = NULL;
  g_autofree char *joined = NULL;
  g_auto(GStrv) parts = NULL;

  if (target[0] == '/')
    joined = g_strdup (target + 1);
  else
    {
      const char *slash = strrchr (source_part, '/');

      dir = slash != NULL ? g_strndup (source_part, (gsize) (slash - source_part)) : g_strdup ("");
      joined = dir[0] != '\0' ? g_strconcat (dir, "/", target, NULL) : g_strdup (target);
    }

  parts = g_strsplit (joined, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") == 0)
        {
          if (segments->len > 0)
            g_ptr_array_remove_index (segments, segments->len - 1);
          continue;
        }
      g_ptr_array_add (segments, parts[i]);
    }
  g_ptr_array_add (segments, NULL);

  return g_strjoinv ("/", (char **) segments->pdata);
}

/* xl/workbook.xml → xl/_rels/workbook.xml.rels */
static char *
rels_part (const char *part)
{
  const char *slash = strrchr (part, '/');

  if (slash == NULL)
    return g_strconcat ("_rels/", part, ".rels", NULL);

  return g_strdup_printf ("%.*s/_rels/%s.rels", (int) (slash - part), part, slash + 1);
}

/* ---- XML ------------------------------------------------------------------- */

typedef struct
{
  const Zip       *zip;
  const char      *part;
  xmlTextReaderPtr reader;
  char            *first_error;
  int              error_line;
} Xml;

static void
xml_error (void        *user_data,
           xmlErrorPtr  err)
{
  Xml *xml = user_data;

  /* warnings (a relative namespace URI…) do not stop the reading */
  if (xml->first_error != NULL || err == NULL || err->level < XML_ERR_ERROR)
    return;
  xml->first_error = g_strstrip (g_strdup (err->message != NULL ? err->message : "?"));
  xml->error_line = err->line;
}

static gboolean
xml_open (Xml         *xml,
          const Zip   *zip,
          const char  *part,
          GBytes      *bytes,
          GError     **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  memset (xml, 0, sizeof *xml);
  xml->zip = zip;
  xml->part = part;
  /* no network, no entity substitution, no DTD loading */
  xml->reader = xmlReaderForMemory (data != NULL ? data : "", (int) size, part, NULL, XML_PARSE_NONET);
  if (xml->reader == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: %s is not well-formed XML"), zip->file_name, part);
      return FALSE;
    }
  xmlTextReaderSetStructuredErrorHandler (xml->reader, xml_error, xml);

  return TRUE;
}

static void
xml_close (Xml *xml)
{
  g_clear_pointer (&xml->reader, xmlFreeTextReader);
  g_clear_pointer (&xml->first_error, g_free);
}

/* Reads the next node; FALSE at the end (*error unset) or on an error. */
static gboolean
xml_read (Xml     *xml,
          GError **error)
{
  int r = xmlTextReaderRead (xml->reader);

  if (r == 1 && xml->first_error == NULL)
    return TRUE;
  if (r == 0 && xml->first_error == NULL)
    return FALSE;

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               _("%s: %s is not well-formed XML (line %d: %s)"),
               xml->zip->file_name, xml->part, xml->error_line,
               xml->first_error != NULL ? xml->first_error : "?");
  return FALSE;
}

static gboolean
is_start (Xml        *xml,
          const char *local_name)
{
  return xmlTextReaderNodeType (xml->reader) == XML_READER_TYPE_ELEMENT &&
         strcmp ((const char *) xmlTextReaderConstLocalName (xml->reader), local_name) == 0;
}

static gboolean
is_end (Xml        *xml,
        const char *local_name)
{
  int type = xmlTextReaderNodeType (xml->reader);

  /* an empty element <t/> has no end of its own */
  if (type == XML_READER_TYPE_ELEMENT && !xmlTextReaderIsEmptyElement (xml->reader))
    return FALSE;
  if (type != XML_READER_TYPE_ELEMENT && type != XML_READER_TYPE_END_ELEMENT)
    return FALSE;

  return strcmp ((const char *) xmlTextReaderConstLocalName (xml->reader), local_name) == 0;
}

static gboolean
is_text (Xml *xml)
{
  int type = xmlTextReaderNodeType (xml->reader);

  return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
         type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* The attribute of the current element with this local name, whatever
 * its prefix (r:id, or id in the strict namespace). */
static char *
xml_attribute (Xml        *xml,
               const char *local_name)
{
  char *value = NULL;

  if (xmlTextReaderMoveToFirstAttribute (xml->reader) != 1)
    return NULL;
  do
    {
      if (strcmp ((const char *) xmlTextReaderConstLocalName (xml->reader), local_name) == 0)
        {
          value = g_strdup ((const char *) xmlTextReaderConstValue (xml->reader));
          break;
        }
    }
  while (xmlTextReaderMoveToNextAttribute (xml->reader) == 1);
  xmlTextReaderMoveToElement (xml->reader);

  return value;
}

/* Excel writes characters XML cannot hold as _xHHHH_ (and a literal
 * "_x" as _x005F_x). */
static char *
decode_escapes (GString *text)
{
  GString *out;
  const char *p;

  if (strstr (text->str, "_x") == NULL)
    return g_strdup (text->str);

  out = g_string_sized_new (text->len);
  for (p = text->str; *p != '\0';)
    {
      if (p[0] == '_' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]) &&
          g_ascii_isxdigit (p[4]) && g_ascii_isxdigit (p[5]) && p[6] == '_')
        {
          gunichar c = (gunichar) ((g_ascii_xdigit_value (p[2]) << 12) | (g_ascii_xdigit_value (p[3]) << 8) |
                                   (g_ascii_xdigit_value (p[4]) << 4) | g_ascii_xdigit_value (p[5]));

          if (c != 0 && g_unichar_validate (c))
            {
              g_string_append_unichar (out, c);
              p += 7;
              continue;
            }
        }
      g_string_append_c (out, *p++);
    }

  return g_string_free (out, FALSE);
}

/* ---- the parts --------------------------------------------------------------- */

typedef struct
{
  char *id;
  char *type;
  char *target;  /* resolved */
} Relationship;

static void
relationship_free (gpointer data)
{
  Relationship *rel = data;

  g_free (rel->id);
  g_free (rel->type);
  g_free (rel->target);
  g_free (rel);
}

/* The relationships of part (none when it has no .rels part). */
static GPtrArray *
read_relationships (const Zip   *zip,
                    const char  *part,
                    GError     **error)
{
  g_autofree char *rels = rels_part (part);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func (relationship_free);
  g_autoptr(GError) local_error = NULL;
  Xml xml;

  if (!(bytes = zip_read_part (zip, rels, &local_error)))
    {
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      return g_steal_pointer (&result);
    }
  if (!xml_open (&xml, zip, rels, bytes, error))
    return NULL;

  while (xml_read (&xml, &local_error))
    if (is_start (&xml, "Relationship"))
      {
        Relationship *rel = g_new0 (Relationship, 1);
        g_autofree char *target = xml_attribute (&xml, "Target");
        g_autofree char *mode = xml_attribute (&xml, "TargetMode");

        rel->id = xml_attribute (&xml, "Id");
        rel->type = xml_attribute (&xml, "Type");
        if (target != NULL && g_strcmp0 (mode, "External") != 0)
          rel->target = resolve_target (part, target);
        g_ptr_array_add (result, rel);
      }
  xml_close (&xml);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&result);
}

static const Relationship *
find_relationship (GPtrArray  *rels,
                   const char *id,
                   const char *type_suffix)
{
  for (guint i = 0; i < rels->len; i++)
    {
      const Relationship *rel = g_ptr_array_index (rels, i);

      if (rel->target == NULL || rel->type == NULL)
        continue;
      if ((id == NULL || g_strcmp0 (rel->id, id) == 0) &&
          (type_suffix == NULL || g_str_has_suffix (rel->type, type_suffix)))
        return rel;
    }

  return NULL;
}

/* The first worksheet xl/workbook.xml lists, preferring a visible one:
 * its name and its part. */
static gboolean
find_first_sheet (const Zip   *zip,
                  const char  *workbook,
                  GPtrArray   *rels,
                  char       **out_name,
                  char       **out_part,
                  gboolean    *out_date1904,
                  GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hidden_name = NULL, *hidden_part = NULL;
  Xml xml;

  if (!(bytes = zip_read_part (zip, workbook, &local_error)))
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                     _("%s: %s is missing; not an XLSX workbook"), zip->file_name, workbook);
      return FALSE;
    }
  if (!xml_open (&xml, zip, workbook, bytes, error))
    return FALSE;

  *out_name = *out_part = NULL;
  *out_date1904 = FALSE;
  while (*out_part == NULL && xml_read (&xml, &local_error))
    if (is_start (&xml, "workbookPr"))
      {
        g_autofree char *date1904 = xml_attribute (&xml, "date1904");

        /* xsd:boolean */
        *out_date1904 = g_strcmp0 (date1904, "1") == 0 || g_strcmp0 (date1904, "true") == 0;
      }
    else if (is_start (&xml, "sheet"))
      {
        g_autofree char *id = xml_attribute (&xml, "id");
        g_autofree char *name = xml_attribute (&xml, "name");
        g_autofree char *state = xml_attribute (&xml, "state");
        const Relationship *rel = id != NULL ? find_relationship (rels, id, REL_WORKSHEET) : NULL;

        /* a chart sheet or a dangling id is not a table */
        if (rel == NULL)
          continue;
        if (state != NULL && strcmp (state, "visible") != 0)
          {
            if (hidden_part == NULL)
              {
                hidden_name = g_steal_pointer (&name);
                hidden_part = g_strdup (rel->target);
              }
            continue;
          }
        *out_name = g_steal_pointer (&name);
        *out_part = g_strdup (rel->target);
      }
  xml_close (&xml);

  if (local_error != NULL)
    {
      g_clear_pointer (out_name, g_free);
      g_clear_pointer (out_part, g_free);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (*out_part == NULL && hidden_part != NULL)
    {
      *out_name = g_steal_pointer (&hidden_name);
      *out_part = g_steal_pointer (&hidden_part);
    }
  if (*out_part == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: %s lists no worksheet"), zip->file_name, workbook);
      return FALSE;
    }
  if (*out_name == NULL)
    *out_name = g_strdup ("");

  return TRUE;
}

static GPtrArray *
read_shared_strings (const Zip   *zip,
                     const char  *part,
                     GBytes      *bytes,
                     GError     **error)
{
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  gboolean in_si = FALSE, in_t = FALSE;
  guint phonetic = 0;
  Xml xml;

  if (!xml_open (&xml, zip, part, bytes, error))
    return NULL;

  while (xml_read (&xml, &local_error))
    {
      if (is_start (&xml, "si"))
        {
          in_si = TRUE;
          g_string_truncate (text, 0);
        }
      /* the phonetic guide of East Asian text is not the text */
      if (in_si && is_start (&xml, "rPh") && !xmlTextReaderIsEmptyElement (xml.reader))
        phonetic++;
      else if (in_si && is_end (&xml, "rPh") && phonetic > 0)
        phonetic--;
      if (in_si && is_start (&xml, "t") && !xmlTextReaderIsEmptyElement (xml.reader))
        in_t = TRUE;
      else if (in_t && is_end (&xml, "t"))
        in_t = FALSE;
      else if (in_t && phonetic == 0 && is_text (&xml))
        g_string_append (text, (const char *) xmlTextReaderConstValue (xml.reader));
      if (in_si && is_end (&xml, "si"))
        {
          if (strings->len >= MAX_STRINGS)
            {
              xml_close (&xml);
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: %s: more than %u strings; refused"), zip->file_name, part, MAX_STRINGS);
              return NULL;
            }
          g_ptr_array_add (strings, decode_escapes (text));
          in_si = FALSE;
        }
    }
  xml_close (&xml);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return g_steal_pointer (&strings);
}

/* "BC12" → column 54 (0-based), row 12; FALSE when not a reference
 * within Excel's limits. */
static gboolean
parse_reference (const char *ref,
                 guint      *out_column,
                 guint      *out_row)
{
  guint column = 0, row = 0;
  const char *p = ref;

  for (; g_ascii_isalpha (*p); p++)
    {
      column = column * 26 + (guint) (g_ascii_toupper (*p) - 'A' + 1);
      if (column > MAX_COLUMNS)
        return FALSE;
    }
  if (column == 0 || !g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      row = row * 10 + (guint) (*p - '0');
      if (row > MAX_ROWS)
        return FALSE;
    }
  if (*p != '\0' || row == 0)
    return FALSE;

  *out_column = column - 1;
  *out_row = row;
  return TRUE;
}

static int
compare_cells (gconstpointer a,
               gconstpointer b)
{
  const ProcuraXlsxCell *x = a, *y = b;

  return x->column < y->column ? -1 : x->column > y->column;
}

static void
cell_clear (gpointer data)
{
  g_free (((ProcuraXlsxCell *) data)->text);
}

/* Ends a row: its cells by column (a repeated column keeps the last). */
static void
finish_row (GArray *rows,
            guint   number,
            GArray *cells)
{
  ProcuraXlsxRow row = { number, 0, NULL };
  guint n = 0;

  if (cells->len == 0)
    {
      g_array_unref (cells);
      return;
    }

  g_array_set_clear_func (cells, NULL);
  g_array_sort (cells, compare_cells);
  for (guint i = 0; i < cells->len; i++)
    {
      ProcuraXlsxCell cell = g_array_index (cells, ProcuraXlsxCell, i);

      if (n > 0 && g_array_index (cells, ProcuraXlsxCell, n - 1).column == cell.column)
        {
          g_free (g_array_index (cells, ProcuraXlsxCell, n - 1).text);
          g_array_index (cells, ProcuraXlsxCell, n - 1) = cell;
        }
      else
        g_array_index (cells, ProcuraXlsxCell, n++) = cell;
    }
  g_array_set_size (cells, n);
  row.n_cells = n;
  row.cells = (ProcuraXlsxCell *) (gpointer) g_array_free (cells, FALSE);
  g_array_append_val (rows, row);
}

static gboolean
read_sheet (const Zip   *zip,
            const char  *part,
            GBytes      *bytes,
            GPtrArray   *shared,
            GArray      *rows,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GString) inline_text = g_string_new (NULL);
  GArray *cells = NULL;
  g_autofree char *type = NULL, *ref = NULL;
  guint row_number = 0, column = 0, next_column = 0, phonetic = 0, n_cells = 0;
  gsize n_bytes = 0;
  gboolean in_c = FALSE, in_v = FALSE, in_is = FALSE, in_t = FALSE;
  gboolean ok = FALSE;
  Xml xml;

  if (!xml_open (&xml, zip, part, bytes, error))
    return FALSE;

  while (xml_read (&xml, &local_error))
    {
      if (is_start (&xml, "row"))
        {
          g_autofree char *r = xml_attribute (&xml, "r");
          guint number = row_number + 1;

          if (r != NULL)
            {
              char *end = NULL;
              guint64 n = g_ascii_strtoull (r, &end, 10);

              if (end == r || *end != '\0' || n == 0 || n > MAX_ROWS)
                {
                  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                               _("%s: %s: “%s” is not a row number"), zip->file_name, part, r);
                  goto out;
                }
              number = (guint) n;
            }
          if (number > MAX_ROWS)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: %s: more than %u rows"), zip->file_name, part, MAX_ROWS);
              goto out;
            }
          row_number = number;
          next_column = 0;
          if (cells != NULL)
            g_array_unref (cells);
          cells = g_array_new (FALSE, FALSE, sizeof (ProcuraXlsxCell));
          g_array_set_clear_func (cells, cell_clear);
          if (xmlTextReaderIsEmptyElement (xml.reader))
            g_clear_pointer (&cells, g_array_unref);
          continue;
        }
      if (cells != NULL && is_end (&xml, "row"))
        {
          finish_row (rows, row_number, g_steal_pointer (&cells));
          continue;
        }
      if (cells == NULL)
        continue;

      if (is_start (&xml, "c"))
        {
          guint ref_row = 0;

          g_clear_pointer (&type, g_free);
          g_clear_pointer (&ref, g_free);
          type = xml_attribute (&xml, "t");
          ref = xml_attribute (&xml, "r");
          if (ref != NULL)
            {
              if (!parse_reference (ref, &column, &ref_row))
                {
                  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                               _("%s: %s: “%s” is not a cell reference"), zip->file_name, part, ref);
                  goto out;
                }
            }
          else
            column = next_column;
          next_column = column + 1;
          if (column >= MAX_COLUMNS)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: %s: row %u has more than %u columns"), zip->file_name, part, row_number, MAX_COLUMNS);
              goto out;
            }
          g_string_truncate (value, 0);
          g_string_truncate (inline_text, 0);
          in_c = !xmlTextReaderIsEmptyElement (xml.reader);
          in_v = in_is = in_t = FALSE;
          phonetic = 0;
          continue;
        }
      if (!in_c)
        continue;

      if (is_start (&xml, "v") && !xmlTextReaderIsEmptyElement (xml.reader))
        in_v = TRUE;
      else if (in_v && is_end (&xml, "v"))
        in_v = FALSE;
      else if (in_v && is_text (&xml))
        g_string_append (value, (const char *) xmlTextReaderConstValue (xml.reader));
      else if (is_start (&xml, "is") && !xmlTextReaderIsEmptyElement (xml.reader))
        in_is = TRUE;
      else if (in_is && is_end (&xml, "is"))
        in_is = FALSE;
      else if (in_is && is_start (&xml, "rPh") && !xmlTextReaderIsEmptyElement (xml.reader))
        phonetic++;
      else if (in_is && is_end (&xml, "rPh") && phonetic > 0)
        phonetic--;
      else if (in_is && is_start (&xml, "t") && !xmlTextReaderIsEmptyElement (xml.reader))
        in_t = TRUE;
      else if (in_t && is_end (&xml, "t"))
        in_t = FALSE;
      else if (in_t && phonetic == 0 && is_text (&xml))
        g_string_append (inline_text, (const char *) xmlTextReaderConstValue (xml.reader));
      else if (is_end (&xml, "c"))
        {
          ProcuraXlsxCell cell = { column, PROCURA_XLSX_CELL_TEXT, NULL };
          const char *t = type != NULL ? type : "n";

          in_c = FALSE;
          if (strcmp (t, "s") == 0)
            {
              char *end = NULL;
              guint64 index = g_ascii_strtoull (value->str, &end, 10);

              if (value->len == 0)
                continue;
              if (end == value->str || *end != '\0' || shared == NULL || index >= shared->len)
                {
                  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                               _("%s: %s: cell %s refers to shared string “%s”, which does not exist"),
                               zip->file_name, part, ref != NULL ? ref : "?", value->str);
                  goto out;
                }
              cell.text = g_strdup (g_ptr_array_index (shared, index));
            }
          else if (strcmp (t, "inlineStr") == 0)
            cell.text = decode_escapes (inline_text);
          else if (strcmp (t, "str") == 0)
            cell.text = decode_escapes (value);
          else if (strcmp (t, "b") == 0)
            {
              if (value->len == 0)
                continue;
              cell.type = PROCURA_XLSX_CELL_BOOLEAN;
              cell.text = g_strdup (strcmp (value->str, "0") == 0 ? "FALSE" : "TRUE");
            }
          else if (strcmp (t, "e") == 0)
            {
              cell.type = PROCURA_XLSX_CELL_ERROR;
              cell.text = g_strdup (value->str);
            }
          else if (strcmp (t, "n") == 0)
            {
              cell.type = PROCURA_XLSX_CELL_NUMBER;
              cell.text = g_strstrip (g_strdup (value->str));
            }
          else if (strcmp (t, "d") == 0)
            {
              /* an ISO 8601 date (strict files): the day is what a ledger means */
              const char *tee = strchr (value->str, 'T');

              cell.text = tee != NULL ? g_strndup (value->str, (gsize) (tee - value->str)) : g_strdup (value->str);
            }
          else
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: %s: cell %s has a value of unknown type “%s”"),
                           zip->file_name, part, ref != NULL ? ref : "?", t);
              goto out;
            }

          if (cell.text[0] == '\0')
            {
              g_free (cell.text);
              continue;
            }
          if (++n_cells > MAX_CELLS)
            {
              g_free (cell.text);
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: %s: more than %u cells; refused"), zip->file_name, part, MAX_CELLS);
              goto out;
            }
          n_bytes += strlen (cell.text);
          if (n_bytes > MAX_TEXT_BYTES)
            {
              g_free (cell.text);
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           /* Translators: %s: the file; %s: the part inside it */
                           _("%s: %s: the cells hold more than %u MiB of text; refused"),
                           zip->file_name, part, MAX_TEXT_BYTES / (1024u * 1024u));
              goto out;
            }
          g_array_append_val (cells, cell);
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      goto out;
    }
  ok = TRUE;

out:
  if (cells != NULL)
    g_array_unref (cells);
  xml_close (&xml);
  return ok;
}

ProcuraXlsxSheet *
procura_xlsx_sheet_read (const char  *data,
                         gsize        length,
                         const char  *file_name,
                         GError     **error)
{
  g_autoptr(ProcuraXlsxSheet) self = g_new0 (ProcuraXlsxSheet, 1);
  Zip zip = { data, length, file_name != NULL ? file_name : "" };
  g_autoptr(GPtrArray) package_rels = NULL;
  g_autoptr(GPtrArray) workbook_rels = NULL;
  g_autoptr(GPtrArray) shared = NULL;
  g_autoptr(GHashTable) parts = NULL;
  g_autofree char *workbook = NULL, *sheet_part = NULL, *sheet_key = NULL, *strings_key = NULL;
  const Relationship *rel;
  GBytes *sheet_bytes, *strings_bytes;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self->rows = g_array_new (FALSE, TRUE, sizeof (ProcuraXlsxRow));
  g_array_set_clear_func (self->rows, row_clear);

  /* the package names its workbook; xl/workbook.xml when it does not */
  if (!(package_rels = read_relationships (&zip, "", error)))
    return NULL;
  rel = find_relationship (package_rels, NULL, REL_OFFICE_DOCUMENT);
  workbook = g_strdup (rel != NULL ? rel->target : "xl/workbook.xml");

  if (!(workbook_rels = read_relationships (&zip, workbook, error)) ||
      !find_first_sheet (&zip, workbook, workbook_rels, &self->name, &sheet_part, &self->date1904, error))
    return NULL;

  /* the sheet and the shared strings in one pass over the zip */
  parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  sheet_key = g_ascii_strdown (sheet_part, -1);
  g_hash_table_insert (parts, g_strdup (sheet_key), NULL);
  rel = find_relationship (workbook_rels, NULL, REL_SHARED_STRINGS);
  if (rel != NULL)
    {
      strings_key = g_ascii_strdown (rel->target, -1);
      g_hash_table_insert (parts, g_strdup (strings_key), NULL);
    }
  if (!zip_read_parts (&zip, parts, error))
    return NULL;

  if (!(sheet_bytes = g_hash_table_lookup (parts, sheet_key)))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: %s is missing; not an XLSX workbook"), zip.file_name, sheet_part);
      return NULL;
    }
  if (strings_key != NULL)
    {
      if (!(strings_bytes = g_hash_table_lookup (parts, strings_key)))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: %s is missing; not an XLSX workbook"), zip.file_name, rel->target);
          return NULL;
        }
      if (!(shared = read_shared_strings (&zip, rel->target, strings_bytes, error)))
        return NULL;
    }

  if (!read_sheet (&zip, sheet_part, sheet_bytes, shared, self->rows, error))
    return NULL;

  return g_steal_pointer (&self);
}
