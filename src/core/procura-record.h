/* procura-record.h — one record of any entity
 *
 * A record is a reference-counted boxed value: the entity it belongs to, an
 * id (a UUID), the server revision it is based on, and one slot per field
 * of the entity. A slot is either unset (a change set leaves it alone),
 * null, or holds a GVariant: "s" for text-like types, "x" for INT, MONEY
 * and DECIMAL, "b" for BOOL. Plain data rather than a GObject: the core
 * handles hundreds of thousands of them and needs no signals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "procura-schema.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_RECORD (procura_record_get_type ())

typedef struct _ProcuraRecord ProcuraRecord;

GType                    procura_record_get_type   (void) G_GNUC_CONST;
ProcuraRecord           *procura_record_new        (const ProcuraEntityInfo *entity,
                                                    const char              *id);
ProcuraRecord           *procura_record_ref        (ProcuraRecord           *self);
void                     procura_record_unref      (ProcuraRecord           *self);
ProcuraRecord           *procura_record_copy       (const ProcuraRecord     *self);

const ProcuraEntityInfo *procura_record_get_entity (const ProcuraRecord     *self);
const char              *procura_record_get_id     (const ProcuraRecord     *self);
void                     procura_record_set_id     (ProcuraRecord           *self,
                                                    const char              *id);
gint64                   procura_record_get_rev    (const ProcuraRecord     *self);
void                     procura_record_set_rev    (ProcuraRecord           *self,
                                                    gint64                   rev);
gboolean                 procura_record_get_deleted (const ProcuraRecord    *self);
void                     procura_record_set_deleted (ProcuraRecord          *self,
                                                     gboolean                deleted);
const char              *procura_record_get_updated_at (const ProcuraRecord *self);
void                     procura_record_set_updated_at (ProcuraRecord       *self,
                                                        const char          *timestamp);

/* Slots by index */
gboolean                 procura_record_is_set     (const ProcuraRecord     *self,
                                                    guint                    index);
GVariant                *procura_record_get_value  (const ProcuraRecord     *self,
                                                    guint                    index);
/* Sinks a floating reference, else adds one (the caller keeps its own);
 * NULL sets null. The type must match the field. */
void                     procura_record_set_value  (ProcuraRecord           *self,
                                                    guint                    index,
                                                    GVariant                *value);
void                     procura_record_unset      (ProcuraRecord           *self,
                                                    guint                    index);
guint                    procura_record_count_set  (const ProcuraRecord     *self);

/* Slots by field name; getters return NULL / default when unset or null. */
gboolean                 procura_record_has        (const ProcuraRecord     *self,
                                                    const char              *name);
const char              *procura_record_get_string (const ProcuraRecord     *self,
                                                    const char              *name);
gint64                   procura_record_get_int    (const ProcuraRecord     *self,
                                                    const char              *name,
                                                    gint64                   default_value);
gboolean                 procura_record_get_bool   (const ProcuraRecord     *self,
                                                    const char              *name);
void                     procura_record_set_string (ProcuraRecord           *self,
                                                    const char              *name,
                                                    const char              *value);
void                     procura_record_set_int    (ProcuraRecord           *self,
                                                    const char              *name,
                                                    gint64                   value);
void                     procura_record_set_bool   (ProcuraRecord           *self,
                                                    const char              *name,
                                                    gboolean                 value);
void                     procura_record_set_null   (ProcuraRecord           *self,
                                                    const char              *name);

/* Parses what a person typed for a field (money in every accepted format,
 * dates as people write them, enum codes or labels, 是/否 …) and sets it.
 * Empty text sets null. Errors name the field and the reason. */
gboolean                 procura_record_set_from_text (ProcuraRecord      *self,
                                                       const char         *name,
                                                       const char         *text,
                                                       GError            **error);

/* The GVariant type string a field's values have: "s", "x" or "b". */
const char              *procura_field_variant_type (const ProcuraFieldInfo *field);
/* Parses text into a value of the field's type (NULL for empty text). */
/* Checks a text field's format (PROCURA_FIELD_USCC, _PHONE, _EMAIL);
 * other fields pass. The error names the field. */
gboolean                 procura_field_check_text  (const ProcuraFieldInfo  *field,
                                                    const char              *text,
                                                    GError                 **error);
gboolean                 procura_field_parse_text  (const ProcuraFieldInfo  *field,
                                                    const char              *text,
                                                    GVariant               **out_value,
                                                    GError                 **error);
/* Canonical text of a value, as history keeps it: money as integer fen,
 * decimals as "85.5", booleans as "true"/"false"; NULL for null. */
char                    *procura_field_value_to_text (const ProcuraFieldInfo *field,
                                                      GVariant               *value);
/* Inverse of procura_field_value_to_text(). */
GVariant                *procura_field_value_from_text (const ProcuraFieldInfo *field,
                                                        const char             *text);
/* What people see: "¥1,234.56", translated enum labels, "是"/"否" … */
char                    *procura_field_value_to_display (const ProcuraFieldInfo *field,
                                                         GVariant               *value);
gboolean                 procura_field_value_equal (GVariant                *a,
                                                    GVariant                *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraRecord, procura_record_unref)

G_END_DECLS
