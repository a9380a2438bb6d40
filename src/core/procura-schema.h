/* procura-schema.h — the catalogue of entities and their fields
 *
 * Every entity Procura keeps is described once here: its table, its fields
 * with their types, enumerations and flags. The store, the validation, the
 * JSON form, the command-line tool and the history all read this catalogue,
 * so adding a field is one line here plus a migration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PROCURA_FIELD_TEXT,
  PROCURA_FIELD_INT,       /* gint64 */
  PROCURA_FIELD_MONEY,     /* gint64 fen */
  PROCURA_FIELD_DECIMAL,   /* gint64 hundredths */
  PROCURA_FIELD_DATE,      /* "YYYY-MM-DD" */
  PROCURA_FIELD_MONTH,     /* "YYYY-MM" */
  PROCURA_FIELD_TIMESTAMP, /* "YYYY-MM-DDTHH:MM:SSZ", UTC */
  PROCURA_FIELD_BOOL,
  PROCURA_FIELD_ENUM,      /* a code of the field's enumeration */
  PROCURA_FIELD_REF,       /* the id of a record of ref_entity */
} ProcuraFieldType;

typedef enum
{
  PROCURA_FIELD_REQUIRED = 1 << 0,
  PROCURA_FIELD_UNIQUE   = 1 << 1,  /* among live records of the entity */
  /* Sync: concurrent edits of strict fields (money, status, score) are not
   * merged by "later wins"; a person chooses. */
  PROCURA_FIELD_STRICT   = 1 << 2,
  PROCURA_FIELD_NONNEG   = 1 << 3,  /* numbers: must be ≥ 0 */
  /* Set only by the workflow (e.g. a report's submitted_at). */
  PROCURA_FIELD_SYSTEM   = 1 << 4,
  /* Personal data kept off exports. */
  PROCURA_FIELD_PERSONAL = 1 << 5,
  /* Text formats checked wherever the text comes from (forms, CLI, sync):
   * 统一社会信用代码, telephone number, e-mail address. */
  PROCURA_FIELD_USCC     = 1 << 6,
  PROCURA_FIELD_PHONE    = 1 << 7,
  PROCURA_FIELD_EMAIL    = 1 << 8,
} ProcuraFieldFlags;

typedef struct
{
  const char *code;   /* stored and exchanged, e.g. "active" */
  const char *label;  /* English source of the translated label */
} ProcuraEnumValue;

typedef struct _ProcuraEntityInfo ProcuraEntityInfo;

typedef struct
{
  const char             *name;      /* column and JSON member, e.g. "value" */
  const char             *label;     /* English source of the translated label */
  ProcuraFieldType        type;
  guint                   flags;
  const ProcuraEnumValue *enum_values; /* NULL-terminated, for ENUM */
  const char             *ref_entity;  /* for REF */
} ProcuraFieldInfo;

struct _ProcuraEntityInfo
{
  const char             *name;         /* "project" — also the table name */
  const char             *plural;       /* "projects" — JSON keys, stats */
  const char             *label;        /* English source of the translated label */
  const char             *parent_field; /* field linking to the owning record, or NULL */
  gboolean                project_scoped; /* has a project_id field */
  const char             *status_field; /* workflow state field, or NULL */
  const char             *title_field;  /* what names a record to people */
  const ProcuraFieldInfo *fields;
  guint                   n_fields;
};

/* All entities, in dependency order (parents before children). */
const ProcuraEntityInfo * const *procura_schema_entities   (guint *n_entities);
const ProcuraEntityInfo *procura_schema_lookup             (const char *name);
/* Accepts the singular or the plural name, or the translated label. */
const ProcuraEntityInfo *procura_schema_lookup_any         (const char *name);
const ProcuraFieldInfo  *procura_entity_lookup_field       (const ProcuraEntityInfo *entity,
                                                            const char              *name);
int                      procura_entity_field_index        (const ProcuraEntityInfo *entity,
                                                            const char              *name);
const char              *procura_entity_get_label          (const ProcuraEntityInfo *entity);
const char              *procura_field_get_label           (const ProcuraFieldInfo  *field);
/* The enumeration value with this code, or NULL. */
const ProcuraEnumValue  *procura_field_lookup_enum         (const ProcuraFieldInfo  *field,
                                                            const char              *code);
/* Accepts a code or a label in English or in the current language. */
const ProcuraEnumValue  *procura_field_match_enum          (const ProcuraFieldInfo  *field,
                                                            const char              *text);
const char              *procura_enum_get_label            (const ProcuraEnumValue  *value);
/* Translated label of an enum code of a field, or the code itself. */
const char              *procura_field_enum_label          (const ProcuraFieldInfo  *field,
                                                            const char              *code);

/* Entity short-hands used all over the core. */
#define PROCURA_ENTITY_ORGANIZATION  (procura_schema_lookup ("organization"))
#define PROCURA_ENTITY_GRADE_SCHEME  (procura_schema_lookup ("grade_scheme"))
#define PROCURA_ENTITY_PROJECT       (procura_schema_lookup ("project"))
#define PROCURA_ENTITY_AMENDMENT     (procura_schema_lookup ("amendment"))
#define PROCURA_ENTITY_MILESTONE     (procura_schema_lookup ("milestone"))
#define PROCURA_ENTITY_PAYMENT       (procura_schema_lookup ("payment"))
#define PROCURA_ENTITY_REPORT        (procura_schema_lookup ("report"))
#define PROCURA_ENTITY_ATTACHMENT    (procura_schema_lookup ("attachment"))
#define PROCURA_ENTITY_EVALUATION    (procura_schema_lookup ("evaluation"))
#define PROCURA_ENTITY_CRITERION     (procura_schema_lookup ("criterion"))
#define PROCURA_ENTITY_INDICATOR     (procura_schema_lookup ("indicator"))
#define PROCURA_ENTITY_INDICATOR_PERIOD (procura_schema_lookup ("indicator_period"))
#define PROCURA_ENTITY_ACTIVITY      (procura_schema_lookup ("activity"))
#define PROCURA_ENTITY_CONSULTATION  (procura_schema_lookup ("consultation"))

G_END_DECLS
