/* procura-import-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-import-row"

#include "config.h"

#include "procura-import-row.h"

struct _ProcuraImportRow
{
  GObject   parent_instance;

  guint     line;
  char     *code;
  char     *title;
  char     *agency;
  char     *amount;
  char    **problems;
  /* a release of an OCDS package */
  char     *label;
  char     *project;
  char    **notes;
};

G_DEFINE_FINAL_TYPE (ProcuraImportRow, procura_import_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LINE,
  PROP_CODE,
  PROP_TITLE,
  PROP_AGENCY,
  PROP_AMOUNT,
  PROP_PROBLEMS,
  PROP_HAS_PROBLEMS,
  PROP_LABEL,
  PROP_PROJECT,
  PROP_NOTES,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
procura_import_row_finalize (GObject *object)
{
  ProcuraImportRow *self = (ProcuraImportRow *)object;

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->agency, g_free);
  g_clear_pointer (&self->amount, g_free);
  g_clear_pointer (&self->problems, g_strfreev);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->project, g_free);
  g_clear_pointer (&self->notes, g_strfreev);

  G_OBJECT_CLASS (procura_import_row_parent_class)->finalize (object);
}

static void
procura_import_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ProcuraImportRow *self = PROCURA_IMPORT_ROW (object);

  switch (prop_id)
    {
    case PROP_LINE:
      g_value_set_uint (value, self->line);
      break;

    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_AGENCY:
      g_value_set_string (value, self->agency);
      break;

    case PROP_AMOUNT:
      g_value_set_string (value, self->amount);
      break;

    case PROP_PROBLEMS:
      g_value_set_boxed (value, self->problems);
      break;

    case PROP_HAS_PROBLEMS:
      g_value_set_boolean (value, procura_import_row_has_problems (self));
      break;

    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;

    case PROP_NOTES:
      g_value_set_boxed (value, self->notes);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_import_row_class_init (ProcuraImportRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = procura_import_row_finalize;
  object_class->get_property = procura_import_row_get_property;

  properties [PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_AGENCY] =
    g_param_spec_string ("agency", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_AMOUNT] =
    g_param_spec_string ("amount", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROBLEMS] =
    g_param_spec_boxed ("problems", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_HAS_PROBLEMS] =
    g_param_spec_boolean ("has-problems", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROJECT] =
    g_param_spec_string ("project", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_NOTES] =
    g_param_spec_boxed ("notes", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
procura_import_row_init (ProcuraImportRow *self)
{
  self->problems = g_new0 (char *, 1);
  self->notes = g_new0 (char *, 1);
}

ProcuraImportRow *
procura_import_row_new (guint               line,
                        const char         *code,
                        const char         *title,
                        const char         *agency,
                        const char         *amount,
                        const char * const *problems,
                        const char * const *notes)
{
  ProcuraImportRow *self = g_object_new (PROCURA_TYPE_IMPORT_ROW, NULL);
  static const char * const none[] = { NULL };

  self->line = line;
  self->code = g_strdup (code);
  self->title = g_strdup (title);
  self->agency = g_strdup (agency);
  self->amount = g_strdup (amount);
  g_strfreev (self->problems);
  self->problems = g_strdupv ((char **) (problems != NULL ? problems : none));
  g_strfreev (self->notes);
  self->notes = g_strdupv ((char **) (notes != NULL ? notes : none));

  return self;
}

ProcuraImportRow *
procura_import_row_new_release (guint               line,
                                const char         *label,
                                const char         *project,
                                const char         *problem,
                                const char * const *notes)
{
  ProcuraImportRow *self = g_object_new (PROCURA_TYPE_IMPORT_ROW, NULL);

  self->line = line;
  self->label = g_strdup (label);
  self->project = g_strdup (project);
  if (problem != NULL)
    {
      g_strfreev (self->problems);
      self->problems = g_new0 (char *, 2);
      self->problems[0] = g_strdup (problem);
    }
  if (notes != NULL)
    {
      g_strfreev (self->notes);
      self->notes = g_strdupv ((char **) notes);
    }

  return self;
}

guint
procura_import_row_get_line (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), 0);

  return self->line;
}

const char *
procura_import_row_get_code (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->code;
}

const char *
procura_import_row_get_title (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->title;
}

const char *
procura_import_row_get_agency (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->agency;
}

const char *
procura_import_row_get_amount (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->amount;
}

const char * const *
procura_import_row_get_problems (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return (const char * const *) self->problems;
}

gboolean
procura_import_row_has_problems (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), FALSE);

  return self->problems[0] != NULL;
}

const char *
procura_import_row_get_label (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->label;
}

const char *
procura_import_row_get_project (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return self->project;
}

const char * const *
procura_import_row_get_notes (ProcuraImportRow *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_ROW (self), NULL);

  return (const char * const *) self->notes;
}
