/* procura-record.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-record.h"
#include "procura-uscc.h"

struct _ProcuraRecord
{
  gatomicrefcount          ref_count;
  const ProcuraEntityInfo *entity;
  char                    *id;
  char                    *updated_at;
  gint64                   rev;
  gboolean                 deleted;
  guint8                  *set;     /* one flag per field */
  GVariant               **values;  /* NULL = null */
};

G_DEFINE_BOXED_TYPE (ProcuraRecord, procura_record, procura_record_ref, procura_record_unref)

ProcuraRecord *
procura_record_new (const ProcuraEntityInfo *entity,
                    const char              *id)
{
  ProcuraRecord *self;

  g_return_val_if_fail (entity != NULL, NULL);

  self = g_new0 (ProcuraRecord, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->entity = entity;
  self->id = g_strdup (id);
  self->set = g_new0 (guint8, entity->n_fields);
  self->values = g_new0 (GVariant *, entity->n_fields);

  return self;
}

ProcuraRecord *
procura_record_ref (ProcuraRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
procura_record_unref (ProcuraRecord *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < self->entity->n_fields; i++)
    g_clear_pointer (&self->values[i], g_variant_unref);
  g_free (self->values);
  g_free (self->set);
  g_free (self->id);
  g_free (self->updated_at);
  g_free (self);
}

ProcuraRecord *
procura_record_copy (const ProcuraRecord *self)
{
  ProcuraRecord *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = procura_record_new (self->entity, self->id);
  copy->rev = self->rev;
  copy->deleted = self->deleted;
  copy->updated_at = g_strdup (self->updated_at);
  for (guint i = 0; i < self->entity->n_fields; i++)
    {
      copy->set[i] = self->set[i];
      if (self->values[i] != NULL)
        copy->values[i] = g_variant_ref (self->values[i]);
    }

  return copy;
}

const ProcuraEntityInfo *
procura_record_get_entity (const ProcuraRecord *self)
{
  return self->entity;
}

const char *
procura_record_get_id (const ProcuraRecord *self)
{
  return self->id;
}

void
procura_record_set_id (ProcuraRecord *self,
                       const char    *id)
{
  if (self->id != id)
    {
      g_free (self->id);
      self->id = g_strdup (id);
    }
}

gint64
procura_record_get_rev (const ProcuraRecord *self)
{
  return self->rev;
}

void
procura_record_set_rev (ProcuraRecord *self,
                        gint64         rev)
{
  self->rev = rev;
}

gboolean
procura_record_get_deleted (const ProcuraRecord *self)
{
  return self->deleted;
}

void
procura_record_set_deleted (ProcuraRecord *self,
                            gboolean       deleted)
{
  self->deleted = !!deleted;
}

const char *
procura_record_get_updated_at (const ProcuraRecord *self)
{
  return self->updated_at;
}

void
procura_record_set_updated_at (ProcuraRecord *self,
                               const char    *timestamp)
{
  if (self->updated_at != timestamp)
    {
      g_free (self->updated_at);
      self->updated_at = g_strdup (timestamp);
    }
}

gboolean
procura_record_is_set (const ProcuraRecord *self,
                       guint                index)
{
  g_return_val_if_fail (index < self->entity->n_fields, FALSE);

  return self->set[index];
}

GVariant *
procura_record_get_value (const ProcuraRecord *self,
                          guint                index)
{
  g_return_val_if_fail (index < self->entity->n_fields, NULL);

  return self->values[index];
}

const char *
procura_field_variant_type (const ProcuraFieldInfo *field)
{
  switch (field->type)
    {
    case PROCURA_FIELD_INT:
    case PROCURA_FIELD_MONEY:
    case PROCURA_FIELD_DECIMAL:
      return "x";
    case PROCURA_FIELD_BOOL:
      return "b";
    case PROCURA_FIELD_TEXT:
    case PROCURA_FIELD_DATE:
    case PROCURA_FIELD_MONTH:
    case PROCURA_FIELD_TIMESTAMP:
    case PROCURA_FIELD_ENUM:
    case PROCURA_FIELD_REF:
    default:
      return "s";
    }
}

void
procura_record_set_value (ProcuraRecord *self,
                          guint          index,
                          GVariant      *value)
{
  g_return_if_fail (index < self->entity->n_fields);

  if (value != NULL)
    {
      g_variant_ref_sink (value);
      if (!g_variant_is_of_type (value, G_VARIANT_TYPE (procura_field_variant_type (&self->entity->fields[index]))))
        {
          g_critical ("Value of type %s for field %s.%s",
                      g_variant_get_type_string (value), self->entity->name,
                      self->entity->fields[index].name);
          g_variant_unref (value);
          return;
        }
    }

  g_clear_pointer (&self->values[index], g_variant_unref);
  self->values[index] = value;
  self->set[index] = TRUE;
}

void
procura_record_unset (ProcuraRecord *self,
                      guint          index)
{
  g_return_if_fail (index < self->entity->n_fields);

  g_clear_pointer (&self->values[index], g_variant_unref);
  self->set[index] = FALSE;
}

guint
procura_record_count_set (const ProcuraRecord *self)
{
  guint n = 0;

  for (guint i = 0; i < self->entity->n_fields; i++)
    n += self->set[i] ? 1 : 0;

  return n;
}

static int
field_index_or_warn (const ProcuraRecord *self,
                     const char          *name)
{
  int i = procura_entity_field_index (self->entity, name);

  if (i < 0)
    g_critical ("No field “%s” in entity “%s”", name, self->entity->name);

  return i;
}

gboolean
procura_record_has (const ProcuraRecord *self,
                    const char          *name)
{
  int i = field_index_or_warn (self, name);

  return i >= 0 && self->values[i] != NULL;
}

const char *
procura_record_get_string (const ProcuraRecord *self,
                           const char          *name)
{
  int i = field_index_or_warn (self, name);

  if (i < 0 || self->values[i] == NULL ||
      !g_variant_is_of_type (self->values[i], G_VARIANT_TYPE_STRING))
    return NULL;

  return g_variant_get_string (self->values[i], NULL);
}

gint64
procura_record_get_int (const ProcuraRecord *self,
                        const char          *name,
                        gint64               default_value)
{
  int i = field_index_or_warn (self, name);

  if (i < 0 || self->values[i] == NULL ||
      !g_variant_is_of_type (self->values[i], G_VARIANT_TYPE_INT64))
    return default_value;

  return g_variant_get_int64 (self->values[i]);
}

gboolean
procura_record_get_bool (const ProcuraRecord *self,
                         const char          *name)
{
  int i = field_index_or_warn (self, name);

  if (i < 0 || self->values[i] == NULL ||
      !g_variant_is_of_type (self->values[i], G_VARIANT_TYPE_BOOLEAN))
    return FALSE;

  return g_variant_get_boolean (self->values[i]);
}

void
procura_record_set_string (ProcuraRecord *self,
                           const char    *name,
                           const char    *value)
{
  int i = field_index_or_warn (self, name);

  if (i >= 0)
    procura_record_set_value (self, i, value != NULL ? g_variant_new_string (value) : NULL);
}

void
procura_record_set_int (ProcuraRecord *self,
                        const char    *name,
                        gint64         value)
{
  int i = field_index_or_warn (self, name);

  if (i >= 0)
    procura_record_set_value (self, i, g_variant_new_int64 (value));
}

void
procura_record_set_bool (ProcuraRecord *self,
                         const char    *name,
                         gboolean       value)
{
  int i = field_index_or_warn (self, name);

  if (i >= 0)
    procura_record_set_value (self, i, g_variant_new_boolean (value));
}

void
procura_record_set_null (ProcuraRecord *self,
                         const char    *name)
{
  int i = field_index_or_warn (self, name);

  if (i >= 0)
    procura_record_set_value (self, i, NULL);
}

static gboolean
parse_bool (const char *text,
            gboolean   *out)
{
  static const char * const yes[] = { "true", "yes", "1", "y", "是", "对", NULL };
  static const char * const no[] = { "false", "no", "0", "n", "否", "不", NULL };

  for (guint i = 0; yes[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0)
      return (*out = TRUE, TRUE);
  for (guint i = 0; no[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, no[i]) == 0)
      return (*out = FALSE, TRUE);

  return FALSE;
}

/* A telephone number as officers write them: 0731-12345678,
 * (0731) 1234 5678, 13812345678, +86 138 1234 5678, 0731-12345678-801 —
 * digits with spaces, hyphens, brackets and a leading +, 7 to 15 digits. */
static gboolean
is_phone_number (const char *text)
{
  guint digits = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p == '+' && p == text)
        continue;
      else if (!strchr (" -()", *p))
        return FALSE;
    }

  return digits >= 7 && digits <= 15;
}

/* name@example.org: one @, something before it, a dotted domain after it,
 * no spaces. Deliberately loose: the address is for people to read. */
static gboolean
is_email_address (const char *text)
{
  const char *at = strchr (text, '@');
  const char *dot;

  if (at == NULL || at == text || strchr (at + 1, '@') != NULL || strpbrk (text, " \t,;<>") != NULL)
    return FALSE;

  dot = strrchr (at + 1, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

gboolean
procura_field_check_text (const ProcuraFieldInfo  *field,
                          const char              *text,
                          GError                 **error)
{
  g_return_val_if_fail (field != NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    return TRUE;

  if (field->flags & PROCURA_FIELD_USCC)
    return procura_uscc_validate (text, error);

  if ((field->flags & PROCURA_FIELD_PHONE) && !is_phone_number (text))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: “%s” is not a telephone number (e.g. 0731-12345678 or 13812345678)"),
                   procura_field_get_label (field), text);
      return FALSE;
    }

  if ((field->flags & PROCURA_FIELD_EMAIL) && !is_email_address (text))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: “%s” is not an e-mail address (e.g. name@example.org)"),
                   procura_field_get_label (field), text);
      return FALSE;
    }

  return TRUE;
}

gboolean
procura_field_parse_text (const ProcuraFieldInfo  *field,
                          const char              *text,
                          GVariant               **out_value,
                          GError                 **error)
{
  g_autofree char *trimmed = NULL;
  const char *label;

  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (out_value != NULL, FALSE);

  *out_value = NULL;
  label = procura_field_get_label (field);

  if (text == NULL)
    return TRUE;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: not valid UTF-8 text"), label);
      return FALSE;
    }

  trimmed = g_strstrip (g_strdup (text));
  if (trimmed[0] == '\0')
    return TRUE;

  switch (field->type)
    {
    case PROCURA_FIELD_TEXT:
      if (!procura_field_check_text (field, trimmed, error))
        return FALSE;
      *out_value = g_variant_ref_sink (g_variant_new_string (trimmed));
      return TRUE;

    case PROCURA_FIELD_REF:
      *out_value = g_variant_ref_sink (g_variant_new_string (trimmed));
      return TRUE;

    case PROCURA_FIELD_INT:
      {
        gint64 v;

        if (!g_ascii_string_to_signed (trimmed, 10, G_MININT64, G_MAXINT64, &v, NULL))
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: “%s” is not a whole number"), label, trimmed);
            return FALSE;
          }
        if ((field->flags & PROCURA_FIELD_NONNEG) && v < 0)
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: must not be negative"), label);
            return FALSE;
          }
        *out_value = g_variant_ref_sink (g_variant_new_int64 (v));
        return TRUE;
      }

    case PROCURA_FIELD_MONEY:
      {
        gint64 fen;

        if (!procura_money_parse (trimmed, !(field->flags & PROCURA_FIELD_NONNEG), label, &fen, error))
          return FALSE;
        *out_value = g_variant_ref_sink (g_variant_new_int64 (fen));
        return TRUE;
      }

    case PROCURA_FIELD_DECIMAL:
      {
        gint64 v;

        if (!procura_decimal_parse (trimmed, label, &v, error))
          return FALSE;
        if ((field->flags & PROCURA_FIELD_NONNEG) && v < 0)
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: must not be negative"), label);
            return FALSE;
          }
        *out_value = g_variant_ref_sink (g_variant_new_int64 (v));
        return TRUE;
      }

    case PROCURA_FIELD_DATE:
      {
        g_autofree char *date = procura_date_normalize (trimmed, label, error);

        if (date == NULL)
          return FALSE;
        *out_value = g_variant_ref_sink (g_variant_new_string (date));
        return TRUE;
      }

    case PROCURA_FIELD_MONTH:
      if (!procura_month_validate (trimmed, label, error))
        return FALSE;
      *out_value = g_variant_ref_sink (g_variant_new_string (trimmed));
      return TRUE;

    case PROCURA_FIELD_TIMESTAMP:
      {
        g_autofree char *ts = procura_timestamp_normalize (trimmed, label, error);

        if (ts == NULL)
          return FALSE;
        *out_value = g_variant_ref_sink (g_variant_new_string (ts));
        return TRUE;
      }

    case PROCURA_FIELD_BOOL:
      {
        gboolean b;

        if (!parse_bool (trimmed, &b))
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: “%s” is neither yes nor no"), label, trimmed);
            return FALSE;
          }
        *out_value = g_variant_ref_sink (g_variant_new_boolean (b));
        return TRUE;
      }

    case PROCURA_FIELD_ENUM:
      {
        const ProcuraEnumValue *v = procura_field_match_enum (field, trimmed);

        if (v == NULL)
          {
            g_autoptr(GString) allowed = g_string_new (NULL);

            for (const ProcuraEnumValue *e = field->enum_values; e->code != NULL; e++)
              g_string_append_printf (allowed, "%s%s", allowed->len ? ", " : "", e->code);
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: “%s” is not one of %s"), label, trimmed, allowed->str);
            return FALSE;
          }
        *out_value = g_variant_ref_sink (g_variant_new_string (v->code));
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

gboolean
procura_record_set_from_text (ProcuraRecord  *self,
                              const char     *name,
                              const char     *text,
                              GError        **error)
{
  g_autoptr(GVariant) value = NULL;
  int i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  i = procura_entity_field_index (self->entity, name);
  if (i < 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s has no field “%s”"),
                   procura_entity_get_label (self->entity), name);
      return FALSE;
    }

  if (!procura_field_parse_text (&self->entity->fields[i], text, &value, error))
    return FALSE;

  procura_record_set_value (self, i, value);
  return TRUE;
}

char *
procura_field_value_to_text (const ProcuraFieldInfo *field,
                             GVariant               *value)
{
  if (value == NULL)
    return NULL;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
  if (field->type == PROCURA_FIELD_DECIMAL)
    return procura_decimal_format (g_variant_get_int64 (value));

  return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
}

GVariant *
procura_field_value_from_text (const ProcuraFieldInfo *field,
                               const char             *text)
{
  gint64 v = 0;

  if (text == NULL)
    return NULL;

  switch (field->type)
    {
    case PROCURA_FIELD_BOOL:
      return g_variant_ref_sink (g_variant_new_boolean (g_strcmp0 (text, "true") == 0));
    case PROCURA_FIELD_DECIMAL:
      if (!procura_decimal_parse (text, NULL, &v, NULL))
        return NULL;
      return g_variant_ref_sink (g_variant_new_int64 (v));
    case PROCURA_FIELD_INT:
    case PROCURA_FIELD_MONEY:
      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &v, NULL))
        return NULL;
      return g_variant_ref_sink (g_variant_new_int64 (v));
    default:
      return g_variant_ref_sink (g_variant_new_string (text));
    }
}

char *
procura_field_value_to_display (const ProcuraFieldInfo *field,
                                GVariant               *value)
{
  if (value == NULL)
    return g_strdup ("");

  switch (field->type)
    {
    case PROCURA_FIELD_MONEY:
      return procura_money_format (g_variant_get_int64 (value));
    case PROCURA_FIELD_DECIMAL:
      return procura_decimal_format (g_variant_get_int64 (value));
    case PROCURA_FIELD_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
    case PROCURA_FIELD_BOOL:
      return g_strdup (g_variant_get_boolean (value) ? _("Yes") : _("No"));
    case PROCURA_FIELD_ENUM:
      return g_strdup (procura_field_enum_label (field, g_variant_get_string (value, NULL)));
    case PROCURA_FIELD_DATE:
      return procura_date_format_display (g_variant_get_string (value, NULL));
    case PROCURA_FIELD_TEXT:
    case PROCURA_FIELD_MONTH:
    case PROCURA_FIELD_TIMESTAMP:
    case PROCURA_FIELD_REF:
    default:
      return g_variant_dup_string (value, NULL);
    }
}

gboolean
procura_field_value_equal (GVariant *a,
                           GVariant *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_variant_equal (a, b);
}
