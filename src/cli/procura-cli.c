/* procura-cli.c — the command-line tool
 *
 * Scripts and tests enter and inspect data with the same validation and the
 * same write path as the desktop app. Exit codes: 0 success, 1 a user error
 * (bad input, a refused change; message on stderr, nothing written),
 * 2 an internal error (database or file system).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-demo.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-export-csv.h"
#include "procura-export-xlsx.h"
#include "procura-import-csv.h"
#include "procura-ocds-import.h"
#include "procura-json.h"
#include "procura-money.h"
#include "procura-ocds.h"
#include "procura-paths.h"
#include "procura-permissions.h"
#include "procura-query.h"
#include "procura-report.h"
#include "procura-store.h"
#include "procura-store-sync.h"
#include "procura-sync.h"
#include "procura-workflow.h"

enum {
  EXIT_OK = 0,
  EXIT_USER = 1,
  EXIT_INTERNAL = 2,
};

/* Options every command accepts */
static char *opt_data_dir;
static char *opt_actor;
static char *opt_today;
static gboolean opt_json;

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char  *name;
  const char  *args;
  const char  *summary;
  CommandFunc  func;
} Command;

static int
fail (int         code,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static int
fail (int         code,
      const char *format,
      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("procura-cli: %s\n", msg);
  return code;
}

/* Bad input and refused changes are the user's to fix; anything else is
 * ours. */
static int
fail_error (const GError *error)
{
  int code = EXIT_USER;

  if (error->domain != PROCURA_ERROR ||
      error->code == PROCURA_ERROR_STORE || error->code == PROCURA_ERROR_CORRUPT)
    code = EXIT_INTERNAL;

  return fail (code, "%s", error->message);
}

static GOptionEntry common_entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    N_("Data directory (default: $PROCURA_DATA_DIR or ~/.local/share/procura)"), N_("DIR") },
  { "actor", 0, 0, G_OPTION_ARG_STRING, &opt_actor,
    N_("Name recorded as the author of changes (default: the login name)"), N_("NAME") },
  { "today", 0, 0, G_OPTION_ARG_STRING, &opt_today,
    N_("Treat DATE as today for due and overdue (YYYY-MM-DD)"), N_("DATE") },
  { NULL }
};

static GOptionEntry json_entries[] = {
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON"), NULL },
  { NULL }
};

static gboolean
parse_options (const char    *command,
               const char    *args,
               const char    *summary,
               GOptionEntry  *extra,
               gboolean       with_json,
               int           *argc,
               char        ***argv,
               int           *exit_code)
{
  g_autofree char *param = g_strdup_printf ("%s %s", command, args);
  g_autoptr(GOptionContext) context = g_option_context_new (param);
  g_autoptr(GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  if (with_json)
    g_option_context_add_main_entries (context, json_entries, GETTEXT_PACKAGE);
  if (extra != NULL)
    g_option_context_add_main_entries (context, extra, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = fail (EXIT_USER, "%s: %s", command, error->message);
      return FALSE;
    }

  if (opt_today != NULL && !procura_date_validate (opt_today, "--today", &error))
    {
      *exit_code = fail_error (error);
      return FALSE;
    }

  return TRUE;
}

/* Only init and demo create a store: a mistyped --data-dir must not
 * silently give an empty one. */
static ProcuraStore *
open_store_full (gboolean  create,
                 int      *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = procura_paths_resolve_data_dir (opt_data_dir);
  g_autofree char *db = g_build_filename (dir, PROCURA_STORE_DB_NAME, NULL);
  ProcuraStore *store;

  if (!create && !g_file_test (db, G_FILE_TEST_EXISTS))
    {
      *exit_code = fail (EXIT_USER, _("Data directory: no store in %s (create one with “procura-cli init”)"), dir);
      return NULL;
    }

  store = procura_store_open (dir, &error);

  if (store == NULL)
    {
      *exit_code = fail_error (error);
      return NULL;
    }

  if (opt_actor != NULL)
    procura_store_set_actor (store, opt_actor);
  if (opt_today != NULL)
    procura_store_set_today (store, opt_today);

  return store;
}

static ProcuraStore *
open_store (int *exit_code)
{
  return open_store_full (FALSE, exit_code);
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = procura_json_to_string (node, TRUE);

  g_print ("%s\n", text);
}

typedef JsonNode *(*ToJson) (gconstpointer item);

static void
print_json_array (GPtrArray *items,
                  ToJson     to_json)
{
  g_autoptr(JsonArray) array = json_array_sized_new (items->len);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < items->len; i++)
    json_array_add_element (array, to_json (g_ptr_array_index (items, i)));
  json_node_set_array (node, array);
  print_json (node);
}

/* ---- init ------------------------------------------------------------ */

static int
cmd_init (int    argc,
          char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  int code = EXIT_OK;

  if (!parse_options ("init", "", _("Create the local store (when missing) and print where it is."),
                      NULL, FALSE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("init: unexpected argument “%s”"), argv[2]);

  if (!(store = open_store_full (TRUE, &code)))
    return code;

  g_print (_("Store ready in %s (schema version %d)\n"),
           procura_store_get_data_dir (store), procura_store_get_schema_version (store));
  return EXIT_OK;
}

/* ---- add / set / delete ---------------------------------------------- */

/* Applies FIELD=VALUE arguments to record, resolving references. */
static gboolean
apply_assignments (ProcuraStore   *store,
                   ProcuraRecord  *record,
                   int             argc,
                   char          **argv,
                   GError        **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  for (int i = 0; i < argc; i++)
    {
      g_autofree char *name = NULL;
      const char *eq = strchr (argv[i], '=');
      const char *value;
      const ProcuraFieldInfo *field;

      if (eq == NULL || eq == argv[i])
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("“%s”: expected FIELD=VALUE"), argv[i]);
          return FALSE;
        }

      name = g_strndup (argv[i], eq - argv[i]);
      value = eq + 1;
      field = procura_entity_lookup_field (entity, name);
      if (field == NULL)
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint f = 0; f < entity->n_fields; f++)
            g_string_append_printf (names, "%s%s", f ? ", " : "", entity->fields[f].name);
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s has no field “%s” (fields: %s)"),
                       procura_entity_get_label (entity), name, names->str);
          return FALSE;
        }

      if (field->type == PROCURA_FIELD_REF && value[0] != '\0')
        {
          g_autofree char *id = NULL;
          g_autoptr(GError) local_error = NULL;

          id = procura_store_resolve_ref (store, procura_schema_lookup (field->ref_entity), value, &local_error);
          if (id == NULL)
            {
              if (g_error_matches (local_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
                g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                             _("%s: no %s matches “%s”"), procura_field_get_label (field),
                             procura_entity_get_label (procura_schema_lookup (field->ref_entity)), value);
              else
                g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          procura_record_set_string (record, field->name, id);
          continue;
        }

      if (!procura_record_set_from_text (record, name, value, error))
        return FALSE;
    }

  return TRUE;
}

static void
print_entity_help (const ProcuraEntityInfo *entity)
{
  g_print (_("Fields of %s (%s):\n"), entity->name, procura_entity_get_label (entity));
  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *f = &entity->fields[i];
      g_autoptr(GString) extra = g_string_new (NULL);

      if (f->flags & PROCURA_FIELD_REQUIRED)
        g_string_append (extra, _(" required"));
      if (f->type == PROCURA_FIELD_ENUM)
        {
          g_string_append (extra, " [");
          for (const ProcuraEnumValue *v = f->enum_values; v->code != NULL; v++)
            g_string_append_printf (extra, "%s%s", v == f->enum_values ? "" : "|", v->code);
          g_string_append (extra, "]");
        }
      if (f->type == PROCURA_FIELD_REF)
        g_string_append_printf (extra, " → %s", f->ref_entity);
      g_print ("  %-24s %s%s\n", f->name, procura_field_get_label (f), extra->str);
    }
}

/* The role's name as people say it, for messages. */
static const char *
role_label (const char *role)
{
  if (g_strcmp0 (role, "admin") == 0)
    return _("an administrator");
  if (g_strcmp0 (role, "agency") == 0)
    return _("a service agency");
  if (g_strcmp0 (role, "auditor") == 0)
    return _("an auditor");
  return role;
}

/* A report's state moves by its steps, not as a field: submitting is the
 * agency's (draft is where a new report starts), the review the officer's. */
static gboolean
report_step_allowed (const char              *role,
                     const ProcuraEntityInfo *entity,
                     ProcuraOperation         op,
                     const ProcuraFieldInfo  *field,
                     const ProcuraRecord     *changes)
{
  const char *state;

  if (strcmp (entity->name, "report") != 0 || strcmp (field->name, "state") != 0)
    return FALSE;
  state = procura_record_get_string (changes, "state");
  if (g_strcmp0 (state, "submitted") == 0)
    return procura_permissions_may_submit (role);
  if (g_strcmp0 (state, "draft") == 0)
    return op == PROCURA_OP_CREATE && procura_permissions_may (role, "report", PROCURA_OP_CREATE);
  return procura_permissions_may_review (role);
}

/* Writes the server would refuse from this device's account fail here,
 * before anything is written, rather than at the next sync. Without an
 * account (a local ledger) everything is allowed. */
static gboolean
account_may_write (ProcuraStore             *store,
                   const ProcuraEntityInfo  *entity,
                   ProcuraOperation          op,
                   const ProcuraRecord      *changes,
                   GError                  **error)
{
  g_autoptr(ProcuraAccount) account = procura_account_load (procura_store_get_data_dir (store), NULL);

  if (account == NULL || account->role == NULL)
    return TRUE;

  if (!procura_permissions_may_write (account->role))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Account: %s, logged in as %s, may read records but not change them"),
                   account->username, role_label (account->role));
      return FALSE;
    }
  if (!procura_permissions_may (account->role, entity->name, op))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   op == PROCURA_OP_CREATE ? _("Account: %s, logged in as %s, may not create records of this kind (%s)")
                   : op == PROCURA_OP_DELETE ? _("Account: %s, logged in as %s, may not delete records of this kind (%s)")
                   : _("Account: %s, logged in as %s, may not change records of this kind (%s)"),
                   account->username, role_label (account->role), procura_entity_get_label (entity));
      return FALSE;
    }
  for (guint i = 0; changes != NULL && i < entity->n_fields; i++)
    if (procura_record_is_set (changes, i) && !(entity->fields[i].flags & PROCURA_FIELD_SYSTEM) &&
        g_strcmp0 (entity->fields[i].name, "project_id") != 0 &&
        !report_step_allowed (account->role, entity, op, &entity->fields[i], changes) &&
        !procura_permissions_may_field (account->role, entity->name, entity->fields[i].name))
      {
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                     _("%s: %s, logged in as %s, may not change this field"),
                     procura_field_get_label (&entity->fields[i]), account->username,
                     role_label (account->role));
        return FALSE;
      }

  return TRUE;
}

static int
cmd_add (int    argc,
         char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  const ProcuraEntityInfo *entity;
  int code = EXIT_OK;

  if (!parse_options ("add", _("KIND FIELD=VALUE…"),
                      _("Create a record. KIND is organization, grade_scheme, project, amendment, "
                        "milestone, payment, report, attachment, evaluation, criterion, indicator, "
                        "indicator_period, activity or consultation; “procura-cli add KIND” alone "
                        "lists its fields. Money accepts 1234.56, 1,234.56, ¥1,234.56, 1234.56元 "
                        "and 12.5万; references accept an id, a credit code, a name or a project number. "
                        "Prints the new record’s id."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;

  if (argc < 3)
    return fail (EXIT_USER, _("add: which kind of record? (see procura-cli add --help)"));

  entity = procura_schema_lookup_any (argv[2]);
  if (entity == NULL)
    return fail (EXIT_USER, _("add: unknown kind “%s”"), argv[2]);

  if (argc == 3)
    {
      print_entity_help (entity);
      return EXIT_OK;
    }

  if (!(store = open_store (&code)))
    return code;

  record = procura_record_new (entity, NULL);
  if (!apply_assignments (store, record, argc - 3, argv + 3, &error) ||
      !account_may_write (store, entity, PROCURA_OP_CREATE, record, &error) ||
      !procura_store_insert (store, record, &error))
    return fail_error (error);

  if (opt_json)
    {
      g_autoptr(ProcuraRecord) saved = procura_store_get (store, entity, procura_record_get_id (record), NULL);
      g_autoptr(JsonNode) node = procura_record_to_json (saved != NULL ? saved : record);
      print_json (node);
    }
  else
    g_print ("%s\n", procura_record_get_id (record));

  return EXIT_OK;
}

/* An id, a project number or an organization's credit code. */
static ProcuraRecord *
find_record (ProcuraStore  *store,
             const char    *key,
             GError       **error)
{
  g_autofree char *id = NULL;

  if (g_uuid_string_is_valid (key))
    return procura_store_find (store, key, error);

  if ((id = procura_store_resolve_ref (store, PROCURA_ENTITY_PROJECT, key, NULL)) != NULL)
    return procura_store_get (store, PROCURA_ENTITY_PROJECT, id, error);
  if ((id = procura_store_resolve_ref (store, PROCURA_ENTITY_ORGANIZATION, key, NULL)) != NULL)
    return procura_store_get (store, PROCURA_ENTITY_ORGANIZATION, id, error);

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
               _("ID: nothing matches “%s” (give a record id, a project number or a credit code)"), key);
  return NULL;
}

static int
cmd_set (int    argc,
         char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) current = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_OK;

  if (!parse_options ("set", _("ID FIELD=VALUE…"),
                      _("Change fields of a record. ID is a record id, a project number or a credit "
                        "code. An empty value (FIELD=) clears the field. Workflow states change here "
                        "too (status=active, state=submitted …) and only along the allowed steps."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;

  if (argc < 4)
    return fail (EXIT_USER, _("set: give an ID and at least one FIELD=VALUE"));

  if (!(store = open_store (&code)))
    return code;

  current = find_record (store, argv[2], &error);
  if (current == NULL)
    return fail_error (error);

  changes = procura_record_new (procura_record_get_entity (current), procura_record_get_id (current));
  if (!apply_assignments (store, changes, argc - 3, argv + 3, &error) ||
      !account_may_write (store, procura_record_get_entity (current), PROCURA_OP_UPDATE, changes, &error) ||
      !procura_store_update (store, changes, &error))
    return fail_error (error);

  if (opt_json)
    {
      g_autoptr(ProcuraRecord) saved = procura_store_get (store, procura_record_get_entity (current),
                                                          procura_record_get_id (current), NULL);
      g_autoptr(JsonNode) node = procura_record_to_json (saved);
      print_json (node);
    }

  return EXIT_OK;
}

static int
cmd_delete (int    argc,
            char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) current = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_OK;

  if (!parse_options ("delete", _("ID"),
                      _("Delete a record. Its history stays; records that others refer to, and "
                        "records that are part of the file (signed contracts, accepted reports, "
                        "paid tranches …), cannot be deleted."),
                      NULL, FALSE, &argc, &argv, &code))
    return code;

  if (argc != 3)
    return fail (EXIT_USER, _("delete: give exactly one ID"));

  if (!(store = open_store (&code)))
    return code;

  current = find_record (store, argv[2], &error);
  if (current == NULL ||
      !account_may_write (store, procura_record_get_entity (current), PROCURA_OP_DELETE, NULL, &error) ||
      !procura_store_delete (store, procura_record_get_entity (current), procura_record_get_id (current), &error))
    return fail_error (error);

  return EXIT_OK;
}

/* ---- demo ------------------------------------------------------------ */

static void
demo_progress (guint    done,
               guint    total,
               gpointer user_data)
{
  gboolean *tty = user_data;

  if (*tty)
    g_printerr ("\r%u / %u", done, total);
}

static int
cmd_demo (int    argc,
          char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(GError) error = NULL;
  gint64 *n_projects;
  int projects = 200;
  gint64 seed = 1;
  gboolean tty;
  int code = EXIT_OK;
  GOptionEntry entries[] = {
    { "projects", 'n', 0, G_OPTION_ARG_INT, &projects, N_("Number of projects (default 200)"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 1)"), N_("S") },
    { NULL }
  };

  if (!parse_options ("demo", "", _("Fill an empty store with realistic demo data for one district. "
                                    "The same seed gives the same data."),
                      entries, FALSE, &argc, &argv, &code))
    return code;

  if (argc > 2)
    return fail (EXIT_USER, _("demo: unexpected argument “%s”"), argv[2]);
  if (projects < 1 || projects > 200000)
    return fail (EXIT_USER, _("--projects: must be between 1 and 200000"));
  if (seed < 0)
    return fail (EXIT_USER, _("--seed: must not be negative"));

  if (!(store = open_store_full (TRUE, &code)))
    return code;

  stats = procura_store_query_stats (store, &error);
  if (stats == NULL)
    return fail_error (error);
  n_projects = g_hash_table_lookup (stats, "projects");
  if (n_projects != NULL && *n_projects > 0)
    return fail (EXIT_USER, _("demo: the store in %s already has projects; demo data goes into an empty store"),
                 procura_store_get_data_dir (store));

  tty = isatty (fileno (stderr));
  if (!procura_demo_generate (store, projects, seed, demo_progress, &tty, &error))
    {
      if (tty)
        g_printerr ("\n");
      return fail_error (error);
    }
  if (tty)
    g_printerr ("\n");

  g_print (g_dngettext (GETTEXT_PACKAGE, "Generated %d demo project in %s\n",
                        "Generated %d demo projects in %s\n", projects),
           projects, procura_store_get_data_dir (store));
  return EXIT_OK;
}

/* ---- list ------------------------------------------------------------ */

static int
cmd_list (int    argc,
          char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL, *street = NULL, *community = NULL;
  g_autofree char *agency = NULL, *category = NULL, *search = NULL;
  int year = 0;
  gboolean overdue = FALSE;
  ProcuraLedgerFilter filter = { 0 };
  int code = EXIT_OK;
  GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, N_("Only projects in this status (code or label)"), N_("STATUS") },
    { "street", 0, 0, G_OPTION_ARG_STRING, &street, N_("Only projects in this street"), N_("STREET") },
    { "community", 0, 0, G_OPTION_ARG_STRING, &community, N_("Only projects in this community"), N_("COMMUNITY") },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, N_("Only projects of this agency (id, credit code or name)"), N_("AGENCY") },
    { "category", 0, 0, G_OPTION_ARG_STRING, &category, N_("Only projects of this service category"), N_("CATEGORY") },
    { "year", 0, 0, G_OPTION_ARG_INT, &year, N_("Only projects of this budget year"), N_("YEAR") },
    { "overdue", 0, 0, G_OPTION_ARG_NONE, &overdue, N_("Only projects with overdue milestones"), NULL },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Text in the number, title, agency or community"), N_("TEXT") },
    { NULL }
  };

  if (!parse_options ("list", "", _("List projects with their figures."),
                      entries, TRUE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("list: unexpected argument “%s”"), argv[2]);

  if (status != NULL)
    {
      const ProcuraEnumValue *v = procura_field_match_enum (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status"), status);

      if (v == NULL)
        return fail (EXIT_USER, _("--status: “%s” is not a project status"), status);
      filter.status = v->code;
    }
  if (category != NULL)
    {
      const ProcuraEnumValue *v = procura_field_match_enum (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "category"), category);

      if (v == NULL)
        return fail (EXIT_USER, _("--category: “%s” is not a service category"), category);
      filter.category = v->code;
    }
  if (year != 0 && (year < 1990 || year > 2199))
    return fail (EXIT_USER, _("--year: %d is not a plausible year"), year);

  filter.street = street;
  filter.community = community;
  filter.agency = agency;
  filter.year = year;
  filter.overdue_only = overdue;
  filter.search = search;

  if (!(store = open_store (&code)))
    return code;

  rows = procura_store_query_ledger (store, &filter, NULL, &error);
  if (rows == NULL)
    return fail_error (error);

  if (opt_json)
    {
      print_json_array (rows, (ToJson) procura_ledger_row_to_json);
      return EXIT_OK;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autofree char *value = procura_money_format (row->amended_value);
      g_autofree char *paid = procura_money_format (row->paid);
      const char *status_label = procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status"), row->status);

      g_print ("%s\t%s\t%s\t%s\t%s\t%s\t%u%%\t%s\t%s%s\t%s\n",
               row->code, row->title, row->agency_name ? row->agency_name : "-",
               row->street ? row->street : "-", value, paid,
               procura_ledger_row_get_progress (row) / 10, status_label,
               row->next_due ? row->next_due : "-", row->n_overdue > 0 ? "!" : "",
               row->latest_grade ? row->latest_grade : "-");
    }
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "%u project\n", "%u projects\n", rows->len), rows->len);

  return EXIT_OK;
}

/* ---- show ------------------------------------------------------------ */

static void
print_record (const ProcuraRecord *record,
              const char          *indent)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  for (guint i = 0; i < entity->n_fields; i++)
    {
      const ProcuraFieldInfo *field = &entity->fields[i];
      g_autofree char *text = NULL;

      if (procura_record_get_value (record, i) == NULL || field->type == PROCURA_FIELD_REF)
        continue;
      text = procura_field_value_to_display (field, procura_record_get_value (record, i));
      g_print ("%s", indent);
      /* Translators: a field label and its value */
      g_print (_("%s: %s"), procura_field_get_label (field), text);
      g_print ("\n");
    }
}

static int
cmd_show (int    argc,
          char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *today = NULL;
  const ProcuraEntityInfo * const *all;
  guint n_all;
  int code = EXIT_OK;

  if (!parse_options ("show", _("ID"),
                      _("Show a record; for a project (id or number), everything under it and its figures."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return fail (EXIT_USER, _("show: give exactly one ID"));

  if (!(store = open_store (&code)))
    return code;

  record = find_record (store, argv[2], &error);
  if (record == NULL)
    return fail_error (error);

  if (procura_record_get_entity (record) != PROCURA_ENTITY_PROJECT)
    {
      if (opt_json)
        {
          g_autoptr(JsonNode) node = procura_record_to_json (record);
          print_json (node);
        }
      else
        {
          g_print ("%s %s\n", procura_entity_get_label (procura_record_get_entity (record)),
                   procura_record_get_id (record));
          print_record (record, "  ");
        }
      return EXIT_OK;
    }

  bundle = procura_store_load_project (store, procura_record_get_id (record), &error);
  if (bundle == NULL)
    return fail_error (error);
  today = procura_store_dup_today (store);

  if (opt_json)
    {
      g_autoptr(JsonNode) node = procura_bundle_to_json (bundle, today);
      print_json (node);
      return EXIT_OK;
    }

  {
    g_autofree char *value = procura_money_format (procura_project_amended_value (bundle));
    g_autofree char *capital = procura_money_format_capital (procura_project_amended_value (bundle));
    g_autofree char *paid = procura_money_format (procura_project_paid (bundle));
    g_autofree char *balance = procura_money_format (procura_project_balance (bundle));

    g_print ("%s  %s\n", procura_record_get_string (bundle->project, "code"),
             procura_record_get_string (bundle->project, "title"));
    print_record (bundle->project, "  ");
    if (bundle->agency != NULL)
      g_print ("  %s: %s (%s)\n", _("Contracted agency"), procura_record_get_string (bundle->agency, "name"),
               procura_record_get_string (bundle->agency, "uscc"));
    g_print (_("  Value with amendments: %s (%s)\n"), value, capital);
    g_print (_("  Paid: %s   Balance: %s   Progress: %u%%   Overdue milestones: %u\n"),
             paid, balance, procura_project_progress (bundle) / 10,
             procura_project_count_overdue (bundle, today));
  }

  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      GPtrArray *children = procura_project_bundle_get_children (bundle, all[e]);

      if (children == NULL || children->len == 0)
        continue;

      g_print ("\n%s (%u)\n", procura_entity_get_label (all[e]), children->len);
      for (guint i = 0; i < children->len; i++)
        {
          ProcuraRecord *child = g_ptr_array_index (children, i);

          g_print ("  - %s", procura_record_get_id (child));
          if (all[e] == PROCURA_ENTITY_MILESTONE && !procura_project_is_closed (bundle) &&
              procura_milestone_is_overdue (child, today))
            g_print ("  [%s]", _("overdue"));
          if (all[e] == PROCURA_ENTITY_EVALUATION)
            {
              gint64 total = procura_evaluation_total (bundle, procura_record_get_id (child));
              g_autofree char *grade = procura_evaluation_grade (bundle, procura_record_get_id (child));

              if (total >= 0)
                {
                  g_autofree char *t = procura_decimal_format (total);
                  g_print ("  [%s %s, %s]", _("total"), t, grade);
                }
            }
          g_print ("\n");
          print_record (child, "      ");
        }
    }

  return EXIT_OK;
}

/* ---- history --------------------------------------------------------- */

static int
cmd_history (int    argc,
             char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_OK;

  if (!parse_options ("history", _("ID"),
                      _("Every field change of a record, newest first; for a project, of everything under it too."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;
  if (argc != 3)
    return fail (EXIT_USER, _("history: give exactly one ID"));

  if (!(store = open_store (&code)))
    return code;

  record = find_record (store, argv[2], &error);
  if (record == NULL)
    return fail_error (error);

  entries = procura_store_query_history (store, procura_record_get_id (record), &error);
  if (entries == NULL)
    return fail_error (error);

  if (opt_json)
    {
      print_json_array (entries, (ToJson) procura_history_entry_to_json);
      return EXIT_OK;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      ProcuraHistoryEntry *entry = g_ptr_array_index (entries, i);

      g_print ("%s\t%s\t%s\t%s.%s\t%s → %s\n", entry->at, entry->actor, entry->op,
               entry->entity, entry->field,
               entry->old_value != NULL ? entry->old_value : "∅",
               entry->new_value != NULL ? entry->new_value : "∅");
    }

  return EXIT_OK;
}

/* ---- stats ----------------------------------------------------------- */

static int
cmd_stats (int    argc,
           char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(GError) error = NULL;
  const ProcuraEntityInfo * const *all;
  static const char * const extra[] = { "history", "changes", "outbox" };
  guint n_all;
  int code = EXIT_OK;

  if (!parse_options ("stats", "", _("Count records of every kind, history rows and pending sync writes."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("stats: unexpected argument “%s”"), argv[2]);

  if (!(store = open_store (&code)))
    return code;

  stats = procura_store_query_stats (store, &error);
  if (stats == NULL)
    return fail_error (error);

  all = procura_schema_entities (&n_all);
  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;

      json_builder_begin_object (builder);
      for (guint e = 0; e < n_all; e++)
        {
          json_builder_set_member_name (builder, all[e]->plural);
          json_builder_add_int_value (builder, *(gint64 *) g_hash_table_lookup (stats, all[e]->plural));
        }
      for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
        {
          json_builder_set_member_name (builder, extra[i]);
          json_builder_add_int_value (builder, *(gint64 *) g_hash_table_lookup (stats, extra[i]));
        }
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      print_json (node);
      return EXIT_OK;
    }

  for (guint e = 0; e < n_all; e++)
    g_print ("%-18s %10" G_GINT64_FORMAT "\n", all[e]->plural,
             *(gint64 *) g_hash_table_lookup (stats, all[e]->plural));
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    g_print ("%-18s %10" G_GINT64_FORMAT "\n", extra[i],
             *(gint64 *) g_hash_table_lookup (stats, extra[i]));

  return EXIT_OK;
}

/* ---- check ----------------------------------------------------------- */

static int
cmd_check (int    argc,
           char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  int code = EXIT_OK;

  if (!parse_options ("check", "",
                      _("Check the store: SQLite integrity and foreign keys, then the domain rules "
                        "(every value matches its history, money limits, workflow states, credit codes). "
                        "Exits 1 when a problem is found."),
                      NULL, FALSE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("check: unexpected argument “%s”"), argv[2]);

  if (!(store = open_store (&code)))
    return code;

  if (!procura_store_check (store, problems, &error))
    {
      for (guint i = 0; i < problems->len && i < 50; i++)
        g_printerr ("%s\n", (const char *) g_ptr_array_index (problems, i));
      if (error->domain == PROCURA_ERROR && error->code == PROCURA_ERROR_CORRUPT)
        return fail (EXIT_USER, "%s", error->message);
      return fail_error (error);
    }

  g_print (_("The store is consistent.\n"));
  return EXIT_OK;
}

/* ---- login / sync / logout / conflicts -------------------------------- */

/* Sync errors the user can act on (log in, check the address, try later)
 * exit 1; an answer that breaks the protocol is ours (2). */
static int
fail_sync_error (const GError *error)
{
  if (error->domain == PROCURA_SYNC_ERROR)
    return fail (error->code == PROCURA_SYNC_ERROR_PROTOCOL ? EXIT_INTERNAL : EXIT_USER,
                 "%s", error->message);

  return fail_error (error);
}

/* One line of standard input, without its line end; NULL at end of file. */
static char *
read_stdin_line (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (line, (char) c);
  if (c == EOF && line->len == 0)
    return NULL;
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static int
cmd_login (int    argc,
           char **argv)
{
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server, N_("Address of the sync server, e.g. https://procura.example.gov.cn"), N_("URL") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Account name on the server"), N_("NAME") },
    { NULL }
  };
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraSync) sync = NULL;
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *old_server = NULL;
  g_autofree char *old_user = NULL;
  g_autoptr(GUri) uri = NULL;
  int code = EXIT_OK;

  if (!parse_options ("login", _("--server URL --user NAME"),
                      _("Log in to a sync server. The password is read from standard input (one line). "
                        "The session token is kept in the data directory (account.json, readable only by you); "
                        "the password is never stored."),
                      entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("login: unexpected argument “%s”"), argv[2]);
  if (server == NULL || server[0] == '\0')
    return fail (EXIT_USER, _("--server: required (the sync server’s address)"));
  if (user == NULL || user[0] == '\0')
    return fail (EXIT_USER, _("--user: required (your account name on the server)"));
  uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    return fail (EXIT_USER, _("--server: “%s” is not an http:// or https:// address"), server);

  password = read_stdin_line ();
  if (password == NULL || password[0] == '\0')
    return fail (EXIT_USER, _("password: none given on standard input"));

  if (!(store = open_store_full (TRUE, &code)))
    return code;

  sync = procura_sync_new (procura_store_get_data_dir (store), server, NULL);
  account = procura_sync_login (sync, user, password, NULL, &error);
  memset (password, 0, strlen (password));
  if (account == NULL)
    return fail_sync_error (error);

  if (!procura_account_save (procura_store_get_data_dir (store), account, &error))
    return fail_error (error);

  /* another server or account sees other records: pull from the start */
  old_server = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_SERVER, NULL);
  old_user = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_USERNAME, NULL);
  if ((g_strcmp0 (old_server, account->server) != 0 || g_strcmp0 (old_user, account->username) != 0) &&
      !procura_store_sync_set_state (store, PROCURA_SYNC_STATE_CURSOR, NULL, &error))
    return fail_error (error);
  if (!procura_store_sync_set_state (store, PROCURA_SYNC_STATE_SERVER, account->server, &error) ||
      !procura_store_sync_set_state (store, PROCURA_SYNC_STATE_USERNAME, account->username, &error) ||
      !procura_store_sync_set_state (store, PROCURA_SYNC_STATE_ROLE, account->role, &error) ||
      !procura_store_sync_set_state (store, PROCURA_SYNC_STATE_ORGANIZATION, account->organization, &error))
    return fail_error (error);

  g_print (_("Logged in to %s as %s (%s)\n"), account->server, account->username,
           account->role != NULL ? account->role : "?");
  return EXIT_OK;
}

static int
cmd_sync (int    argc,
          char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraSync) sync = NULL;
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  ProcuraSyncReport report = { 0, };
  gboolean ok;
  int code = EXIT_OK;

  if (!parse_options ("sync", "",
                      _("Send this device’s changes to the sync server, then fetch everyone else’s. "
                        "Conflicts and refused changes are listed by “procura-cli conflicts”."),
                      NULL, TRUE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("sync: unexpected argument “%s”"), argv[2]);

  dir = procura_paths_resolve_data_dir (opt_data_dir);
  if (!(account = procura_account_load (dir, &error)))
    return fail_sync_error (error);
  if (!(store = open_store (&code)))
    return code;

  sync = procura_sync_new (dir, account->server, account->token);
  ok = procura_sync_run (sync, store, &report, NULL, &error);

  if (opt_json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "pushed");
      json_builder_add_int_value (builder, report.pushed);
      json_builder_set_member_name (builder, "applied");
      json_builder_add_int_value (builder, report.applied);
      json_builder_set_member_name (builder, "merged");
      json_builder_add_int_value (builder, report.merged);
      json_builder_set_member_name (builder, "conflicts");
      json_builder_add_int_value (builder, report.conflicts);
      json_builder_set_member_name (builder, "rejected");
      json_builder_add_int_value (builder, report.rejected);
      json_builder_set_member_name (builder, "pulled");
      json_builder_add_int_value (builder, report.pulled);
      json_builder_set_member_name (builder, "files_uploaded");
      json_builder_add_int_value (builder, report.blobs_uploaded);
      json_builder_set_member_name (builder, "files_downloaded");
      json_builder_add_int_value (builder, report.blobs_downloaded);
      json_builder_set_member_name (builder, "files_failed");
      json_builder_add_int_value (builder, report.blobs_failed);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      if (ok)
        print_json (root);
    }
  else if (ok)
    /* Translators: the summary of one sync */
    {
      g_print (_("pushed %u (%u applied, %u conflicts, %u rejected), pulled %u\n"),
               report.pushed, report.applied + report.merged, report.conflicts, report.rejected,
               report.pulled);
      if (report.blobs_uploaded + report.blobs_downloaded + report.blobs_failed > 0)
        /* Translators: attachment files moved by one sync; those that
         * failed are tried again at the next sync */
        g_print (_("files: %u sent, %u fetched, %u to try again\n"),
                 report.blobs_uploaded, report.blobs_downloaded, report.blobs_failed);
    }

  if (!ok)
    return fail_sync_error (error);

  return EXIT_OK;
}

static int
cmd_logout (int    argc,
            char **argv)
{
  g_autoptr(ProcuraSync) sync = NULL;
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int code = EXIT_OK;

  if (!parse_options ("logout", "",
                      _("End the session: the server revokes the token and this device forgets it. "
                        "Unsent changes stay in the store for the next login."),
                      NULL, FALSE, &argc, &argv, &code))
    return code;
  if (argc > 2)
    return fail (EXIT_USER, _("logout: unexpected argument “%s”"), argv[2]);

  dir = procura_paths_resolve_data_dir (opt_data_dir);
  if (!(account = procura_account_load (dir, &error)))
    return fail_sync_error (error);

  sync = procura_sync_new (dir, account->server, account->token);
  /* the token is forgotten here even when the server cannot be told; an
   * expired or revoked one is gone there already */
  if (!procura_sync_logout (sync, NULL, &error) &&
      !g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED))
    g_printerr (_("procura-cli: warning: the server could not revoke the session: %s\n"), error->message);
  g_clear_error (&error);

  if (!procura_account_remove (dir, &error))
    return fail_error (error);

  g_print (_("Logged out of %s\n"), account->server);
  return EXIT_OK;
}

static JsonNode *
conflict_to_json (gconstpointer item)
{
  const ProcuraConflict *c = item;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, c->id);
#define STRING_MEMBER(name, value) \
  json_builder_set_member_name (builder, (name)); \
  if ((value) != NULL) json_builder_add_string_value (builder, (value)); else json_builder_add_null_value (builder)
  STRING_MEMBER ("kind", c->kind);
  STRING_MEMBER ("entity", c->entity);
  STRING_MEMBER ("record_id", c->record_id);
  STRING_MEMBER ("op", c->op);
  STRING_MEMBER ("field", c->field);
  STRING_MEMBER ("yours", c->local_value);
  STRING_MEMBER ("server", c->server_value);
  STRING_MEMBER ("by", c->server_by);
  STRING_MEMBER ("kept", c->kept);
  STRING_MEMBER ("error", c->error);
  STRING_MEMBER ("reason", c->reason);
  STRING_MEMBER ("status", c->status);
  STRING_MEMBER ("at", c->at);
#undef STRING_MEMBER
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static int
conflicts_resolve (ProcuraStore  *store,
                   int            argc,
                   char         **argv,
                   const char    *keep)
{
  g_autoptr(GError) error = NULL;
  gint64 id;
  char *end = NULL;

  if (argc != 4)
    return fail (EXIT_USER, _("conflicts resolve: give exactly one conflict ID"));
  id = g_ascii_strtoll (argv[3], &end, 10);
  if (end == argv[3] || *end != '\0' || id <= 0)
    return fail (EXIT_USER, _("ID: “%s” is not a conflict number (see procura-cli conflicts)"), argv[3]);
  if (keep == NULL)
    return fail (EXIT_USER, _("--keep: required (mine or server)"));
  if (strcmp (keep, "mine") != 0 && strcmp (keep, "server") != 0)
    return fail (EXIT_USER, _("--keep: “%s” is neither mine nor server"), keep);

  if (!procura_store_sync_resolve_conflict (store, id, strcmp (keep, "mine") == 0, &error))
    return fail_error (error);

  g_print (strcmp (keep, "mine") == 0
           ? _("Conflict %lld resolved: your value is kept (sent at the next sync)\n")
           : _("Conflict %lld resolved: the server’s value is kept\n"),
           (long long) id);
  return EXIT_OK;
}

/* A conflict's value as people read it (¥130,000.00, not 13000000): the
 * stored text through the field's display form; as stored when it is
 * not a field's value (a refused insert lists the whole record). */
static char *
conflict_value_display (const ProcuraFieldInfo *field,
                        const char             *text)
{
  g_autoptr(GVariant) value = NULL;

  if (text == NULL)
    return g_strdup ("∅");
  if (field == NULL || !(value = procura_field_value_from_text (field, text)))
    return g_strdup (text);

  return procura_field_value_to_display (field, value);
}

static int
cmd_conflicts (int    argc,
               char **argv)
{
  g_autofree char *keep = NULL;
  gboolean all = FALSE;
  GOptionEntry entries[] = {
    { "keep", 0, 0, G_OPTION_ARG_STRING, &keep, N_("With resolve: which value stays, mine or server"), N_("WHICH") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("List resolved conflicts too"), NULL },
    { NULL }
  };
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  int code = EXIT_OK;

  if (!parse_options ("conflicts", _("[resolve ID --keep mine|server]"),
                      _("List what the last syncs could not merge: the same field changed here and on the "
                        "server (the later push won; the other value is kept here), and changes the server "
                        "refused (your values are kept here; the record shows the server’s). "
                        "“resolve ID --keep mine” writes your value again, to be sent at the next sync; "
                        "“--keep server” leaves the server’s value."),
                      entries, TRUE, &argc, &argv, &code))
    return code;

  if (!(store = open_store (&code)))
    return code;

  if (argc >= 3 && strcmp (argv[2], "resolve") == 0)
    return conflicts_resolve (store, argc, argv, keep);
  if (argc > 2)
    return fail (EXIT_USER, _("conflicts: unexpected argument “%s”"), argv[2]);

  if (!(conflicts = procura_store_sync_list_conflicts (store, all, &error)))
    return fail_error (error);

  if (opt_json)
    {
      print_json_array (conflicts, conflict_to_json);
      return EXIT_OK;
    }

  if (conflicts->len == 0)
    {
      g_print (_("No open conflicts.\n"));
      return EXIT_OK;
    }

  for (guint i = 0; i < conflicts->len; i++)
    {
      const ProcuraConflict *c = g_ptr_array_index (conflicts, i);
      const ProcuraEntityInfo *entity = procura_schema_lookup (c->entity);
      g_autofree char *what = NULL;

      if (strcmp (c->kind, "rejected") == 0)
        /* Translators: why the server refused a change: its error code and reason */
        what = g_strdup_printf (_("refused (%s%s%s)"), c->error != NULL ? c->error : "?",
                                c->reason != NULL ? ": " : "", c->reason != NULL ? g_dgettext (GETTEXT_PACKAGE, c->reason) : "");
      else
        what = g_strdup_printf (_("conflict, %s kept"),
                                g_strcmp0 (c->kept, "yours") == 0 ? _("yours") : _("the server’s"));

      const ProcuraFieldInfo *field = entity != NULL && c->field != NULL
                                      ? procura_entity_lookup_field (entity, c->field) : NULL;
      g_autofree char *yours = conflict_value_display (field, c->local_value);
      g_autofree char *theirs = conflict_value_display (field, c->server_value);

      g_print ("%" G_GINT64_FORMAT "\t%s %s\t%s\t", c->id,
               entity != NULL ? procura_entity_get_label (entity) : c->entity,
               c->record_id,
               field != NULL ? procura_field_get_label (field)
                             : c->field != NULL ? c->field : _("(new record)"));
      g_print (_("yours: %s\tserver: %s\tby: %s\t%s"), yours, theirs,
               c->server_by != NULL ? c->server_by : "?",
               what);
      if (strcmp (c->status, "open") != 0)
        g_print ("\t%s", _("resolved"));
      g_print ("\n");
    }

  return EXIT_OK;
}

/* ---- export ---------------------------------------------------------- */

static int
cmd_export (int    argc,
            char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) project_ids = NULL;
  g_autoptr(GString) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL, *table_name = NULL, *output = NULL, *ocid_prefix = NULL;
  ProcuraExportTable table = PROCURA_EXPORT_TABLE_LEDGER;
  gboolean xlsx, ocds, record;
  int code = EXIT_OK;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("File format: csv, xlsx, ocds or ocds-record"), N_("FORMAT") },
    { "table", 0, 0, G_OPTION_ARG_STRING, &table_name,
      N_("What to export: ledger, milestones, payments or evaluations (CSV: ledger by default; XLSX: all four as sheets by default)"), N_("TABLE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write to FILE instead of standard output"), N_("FILE") },
    { "ocid-prefix", 0, 0, G_OPTION_ARG_STRING, &ocid_prefix,
      N_("OCDS: the prefix of every ocid (default: the preference, else ocds-procura)"), N_("PREFIX") },
    { NULL }
  };

  if (!parse_options ("export", _("--format csv|xlsx|ocds|ocds-record [PROJECT…]"),
                      _("Export projects as spreadsheets (csv, xlsx), as an OCDS 1.1.5 release package (ocds) or as an OCDS record package with each project’s history (ocds-record). PROJECT is a project number or id; without one, every project."),
                      entries, FALSE, &argc, &argv, &code))
    return code;

  if (format == NULL)
    return fail (EXIT_USER, _("--format: missing (give --format csv)"));
  if (strcmp (format, "csv") != 0 && strcmp (format, "xlsx") != 0 && strcmp (format, "ocds") != 0 &&
      strcmp (format, "ocds-record") != 0)
    return fail (EXIT_USER, _("--format: “%s” is not a format (give csv, xlsx, ocds or ocds-record)"), format);
  ocds = strcmp (format, "ocds") == 0;
  record = strcmp (format, "ocds-record") == 0;
  if (table_name != NULL && (ocds || record))
    return fail (EXIT_USER, _("--table: not for --format %s (an OCDS package holds whole projects)"), format);
  if (ocid_prefix != NULL && !ocds && !record)
    return fail (EXIT_USER, _("--ocid-prefix: only for --format ocds or ocds-record"));
  if (ocid_prefix != NULL && !procura_ocds_check_prefix (ocid_prefix, NULL))
    return fail (EXIT_USER, _("--ocid-prefix: “%s” is not an ocid prefix (letters A–Z and a–z, digits and “-” only, such as ocds-a1b2c3)"),
                 ocid_prefix);
  if ((ocds || record) && ocid_prefix == NULL)
    {
      /* the preference, where this installation has its schema and key */
      ocid_prefix = procura_ocds_dup_preferred_prefix ();
      if (ocid_prefix != NULL && !procura_ocds_check_prefix (ocid_prefix, NULL))
        return fail (EXIT_USER, _("--ocid-prefix: the preference “%s” is not an ocid prefix (letters A–Z and a–z, digits and “-” only); correct it in Preferences or give --ocid-prefix"),
                     ocid_prefix);
    }
  xlsx = strcmp (format, "xlsx") == 0;
  if (table_name != NULL && !procura_export_table_from_name (table_name, &table))
    return fail (EXIT_USER, _("--table: “%s” is not a table (give ledger, milestones, payments or evaluations)"), table_name);
  if (output != NULL && output[0] == '\0')
    return fail (EXIT_USER, _("--output: the file name is empty"));
  /* a workbook is binary: never onto a terminal or into a pipe by accident */
  if (xlsx && output == NULL)
    return fail (EXIT_USER, _("--output: missing (an XLSX workbook is written to a file: give -o FILE.xlsx)"));
  for (int i = 2; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return fail (EXIT_USER, _("export: unknown option “%s”"), argv[i]);

  if (!(store = open_store (&code)))
    return code;

  if (argc > 2)
    {
      project_ids = procura_export_resolve_projects (store, (const char * const *) &argv[2], &error);
      if (project_ids == NULL)
        return fail_error (error);
    }

  if (ocds || record)
    {
      if (output != NULL)
        {
          if (ocds ? !procura_ocds_export_to_file (store, project_ids, ocid_prefix, output, &error)
                   : !procura_ocds_record_export_to_file (store, project_ids, ocid_prefix, output, &error))
            return fail_error (error);
          return EXIT_OK;
        }
      out = g_string_new (NULL);
      if (ocds ? !procura_ocds_export_release_package (store, project_ids, ocid_prefix, NULL, out, &error)
               : !procura_ocds_export_record_package (store, project_ids, ocid_prefix, NULL, out, &error))
        return fail_error (error);
      if (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0)
        return fail (EXIT_INTERNAL, _("Standard output: %s"), g_strerror (errno));
      return EXIT_OK;
    }

  if (xlsx)
    {
      /* without --table, every table as its own sheet */
      static const ProcuraExportTable all[] = {
        PROCURA_EXPORT_TABLE_LEDGER, PROCURA_EXPORT_TABLE_MILESTONES,
        PROCURA_EXPORT_TABLE_PAYMENTS, PROCURA_EXPORT_TABLE_EVALUATIONS,
      };

      if (!procura_export_xlsx_to_file (store, table_name != NULL ? &table : all,
                                        table_name != NULL ? 1 : G_N_ELEMENTS (all),
                                        project_ids, output, &error))
        return fail_error (error);
      return EXIT_OK;
    }

  if (output != NULL)
    {
      if (!procura_export_csv_to_file (store, table, project_ids, output, &error))
        return fail_error (error);
      return EXIT_OK;
    }

  out = g_string_new (NULL);
  if (!procura_export_csv (store, table, project_ids, out, &error))
    return fail_error (error);
  if (fwrite (out->str, 1, out->len, stdout) != out->len || fflush (stdout) != 0)
    return fail (EXIT_INTERNAL, _("Standard output: %s"), g_strerror (errno));

  return EXIT_OK;
}

/* ---- report ---------------------------------------------------------- */

static int
cmd_report (int    argc,
            char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraReportDocument) doc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gboolean district = FALSE;
  int code = EXIT_OK;
  GOptionEntry entries[] = {
    { "district", 0, 0, G_OPTION_ARG_NONE, &district,
      N_("The district summary: the dashboard’s figures and charts and every project"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the PDF to FILE"), N_("FILE") },
    { NULL }
  };

  if (!parse_options ("report", _("PROJECT or --district -o FILE.pdf"),
                      _("Write the printable PDF report of a project (PROJECT is a project number or id) "
                        "or, with --district, the district summary."),
                      entries, FALSE, &argc, &argv, &code))
    return code;
  if (argc > 2 && argv[2][0] == '-' && argv[2][1] != '\0')
    return fail (EXIT_USER, _("report: unknown option “%s”"), argv[2]);
  if (district && argc > 2)
    return fail (EXIT_USER, _("report: give a PROJECT or --district, not both"));
  if (!district && argc < 3)
    return fail (EXIT_USER, _("report: give a PROJECT (number or id) or --district"));
  if (argc > 3)
    return fail (EXIT_USER, _("report: give exactly one PROJECT"));
  if (output == NULL || output[0] == '\0')
    return fail (EXIT_USER, _("--output: required (the PDF file to write)"));

  if (!(store = open_store (&code)))
    return code;

  if (district)
    doc = procura_report_document_new_district (store, &error);
  else
    doc = procura_report_document_new_project (store, argv[2], &error);

  if (doc == NULL || !procura_report_document_write_pdf (doc, output, &error))
    {
      /* a path we cannot write is the user's to fix */
      if (error->domain == G_FILE_ERROR)
        return fail (EXIT_USER, "%s", error->message);
      return fail_error (error);
    }

  return EXIT_OK;
}

/* ---- import ---------------------------------------------------------- */

static void
print_columns (const char         *title,
               const char * const *columns)
{
  g_autofree char *list = NULL;

  if (columns[0] == NULL)
    return;
  /* Translators: separates column names in a list */
  list = g_strjoinv (_(", "), (char **) columns);
  g_print ("%s %s\n", title, list);
}

static int
cmd_import (int    argc,
            char **argv)
{
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraImport) import = NULL;
  g_autoptr(GError) error = NULL;
  gboolean dry_run = FALSE, valid_rows = FALSE;
  g_autofree char *ocid_prefix = NULL;
  ProcuraImportMode mode;
  guint n_rows, n_problems;
  int code = EXIT_OK;
  GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Check every row and write nothing"), NULL },
    { "valid-rows", 0, 0, G_OPTION_ARG_NONE, &valid_rows,
      N_("Import the rows without problems and list the others"), NULL },
    { "ocid-prefix", 0, 0, G_OPTION_ARG_STRING, &ocid_prefix,
      N_("OCDS: the prefix of the ocids this installation exports (default: the preference; ocds-procura is always recognised)"), N_("PREFIX") },
    { NULL }
  };

  if (!parse_options ("import", _("FILE [--dry-run] [--valid-rows]"),
                      _("Add projects from a ledger: an .xlsx workbook (its first sheet) or a CSV file "
                        "(UTF-8 or GB18030); or add and update projects from an OCDS release package (.json). "
                        "Without --valid-rows, one row or release with a problem means nothing is written."),
                      entries, FALSE, &argc, &argv, &code))
    return code;

  if (argc != 3)
    return fail (EXIT_USER, _("import: give one FILE"));
  if (argv[2][0] == '-' && argv[2][1] != '\0')
    return fail (EXIT_USER, _("import: unknown option “%s”"), argv[2]);

  {
    g_autofree char *contents = NULL;
    gsize length = 0;

    /* an OCDS release package rather than a ledger */
    if (g_str_has_suffix (argv[2], ".json") ||
        (g_file_get_contents (argv[2], &contents, &length, NULL) && procura_ocds_import_detect (contents, length)))
      {
        g_autoptr(ProcuraOcdsImport) ocds = NULL;
        guint n_releases;

        if (!(ocds = procura_ocds_import_load (argv[2], &error)))
          return fail (EXIT_USER, "%s", error->message);
        /* our own exports' ocids name the project: the prefix as export
         * takes it (the option, else the preference) */
        if (ocid_prefix == NULL)
          ocid_prefix = procura_ocds_dup_preferred_prefix ();
        procura_ocds_import_set_prefix (ocds, ocid_prefix);
        if (!(store = open_store (&code)))
          return code;
        /* a dry run only reads, which every account may */
        if (!dry_run && !account_may_write (store, PROCURA_ENTITY_PROJECT, PROCURA_OP_CREATE, NULL, &error))
          return fail (EXIT_USER, "%s", error->message);
        mode = dry_run ? PROCURA_IMPORT_DRY_RUN : valid_rows ? PROCURA_IMPORT_VALID_ROWS : PROCURA_IMPORT_ALL_OR_NONE;
        if (!procura_ocds_import_run (ocds, store, mode, &error))
          return fail_error (error);

        n_releases = procura_ocds_import_get_n_releases (ocds);
        n_problems = procura_ocds_import_get_n_problems (ocds);
        for (guint i = 0; i < n_releases; i++)
          {
            const char * const *notes = procura_ocds_import_get_release_notes (ocds, i);

            if (procura_ocds_import_get_release_problem (ocds, i) != NULL)
              g_print ("%s\n", procura_ocds_import_get_release_problem (ocds, i));
            for (guint j = 0; notes[j] != NULL; j++)
              /* Translators: "Release <ocid> / <release id>: <what stays in the OCDS data only>" */
              g_print (_("Release %s: %s\n"), procura_ocds_import_get_release_label (ocds, i), notes[j]);
          }
        g_print (g_dngettext (GETTEXT_PACKAGE, "%u release: %u without problems, %u with problems\n",
                              "%u releases: %u without problems, %u with problems\n", n_releases),
                 n_releases, n_releases - n_problems, n_problems);
        if (dry_run)
          {
            g_print ("%s\n", _("Dry run: nothing written."));
            return n_problems > 0 && !valid_rows ? EXIT_USER : EXIT_OK;
          }
        if (n_problems > 0 && !valid_rows)
          return fail (EXIT_USER, _("Nothing written: correct the releases above, or import the others with --valid-rows"));
        g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %u release.\n", "Imported %u releases.\n",
                              procura_ocds_import_get_n_written (ocds)),
                 procura_ocds_import_get_n_written (ocds));
        return EXIT_OK;
      }
  }

  if (!(import = procura_import_csv_load (argv[2], &error)))
    return fail (EXIT_USER, "%s", error->message);

  if (!(store = open_store (&code)))
    return code;
  if (!dry_run && !account_may_write (store, PROCURA_ENTITY_PROJECT, PROCURA_OP_CREATE, NULL, &error))
    return fail (EXIT_USER, "%s", error->message);

  mode = dry_run ? PROCURA_IMPORT_DRY_RUN : valid_rows ? PROCURA_IMPORT_VALID_ROWS : PROCURA_IMPORT_ALL_OR_NONE;
  if (!procura_import_run (import, store, mode, &error))
    return fail_error (error);

  n_rows = procura_import_get_n_rows (import);
  n_problems = procura_import_get_n_problems (import);

  g_print (_("Encoding: %s\n"), procura_import_get_encoding (import));
  print_columns (_("Columns not recognised (left out):"), procura_import_get_unknown_columns (import));
  print_columns (_("Columns Procura computes itself (left out):"), procura_import_get_ignored_columns (import));
  for (guint i = 0; i < n_rows; i++)
    {
      const char * const *problems = procura_import_get_row_problems (import, i);
      const char * const *notes = procura_import_get_row_notes (import, i);

      for (guint j = 0; problems[j] != NULL; j++)
        g_print (_("Line %u: %s\n"), procura_import_get_row_line (import, i), problems[j]);
      for (guint j = 0; notes[j] != NULL; j++)
        /* Translators: a row imported differently from what it says, not a problem */
        g_print (_("Line %u: note: %s\n"), procura_import_get_row_line (import, i), notes[j]);
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u row: %u without problems, %u with problems\n",
                        "%u rows: %u without problems, %u with problems\n", n_rows),
           n_rows, n_rows - n_problems, n_problems);
  if (procura_import_get_n_noted (import) > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "%u row with notes\n", "%u rows with notes\n",
                          procura_import_get_n_noted (import)),
             procura_import_get_n_noted (import));

  if (dry_run)
    {
      g_print ("%s\n", _("Dry run: nothing written."));
      return n_problems > 0 && !valid_rows ? EXIT_USER : EXIT_OK;
    }
  if (n_problems > 0 && !valid_rows)
    return fail (EXIT_USER, _("Nothing written: correct the rows above, or import the others with --valid-rows"));

  g_print (g_dngettext (GETTEXT_PACKAGE, "Imported %u project.\n", "Imported %u projects.\n",
                        procura_import_get_n_written (import)),
           procura_import_get_n_written (import));

  return EXIT_OK;
}

/* ---- main ------------------------------------------------------------ */

static const Command commands[] = {
  { "init", "", N_("Create the local store"), cmd_init },
  { "add", N_("KIND FIELD=VALUE…"), N_("Create a record"), cmd_add },
  { "set", N_("ID FIELD=VALUE…"), N_("Change fields of a record"), cmd_set },
  { "delete", N_("ID"), N_("Delete a record (its history stays)"), cmd_delete },
  { "demo", N_("--projects N [--seed S]"), N_("Fill an empty store with demo data"), cmd_demo },
  { "list", N_("[FILTERS]"), N_("List projects"), cmd_list },
  { "show", N_("ID"), N_("Show a project with everything under it"), cmd_show },
  { "history", N_("ID"), N_("Show the change history of a record or project"), cmd_history },
  { "stats", "", N_("Count records"), cmd_stats },
  { "check", "", N_("Check the store’s integrity and the domain rules"), cmd_check },
  { "export", N_("--format csv|xlsx|ocds|ocds-record [--table T] [--ocid-prefix P] [-o FILE] [PROJECT…]"), N_("Export projects (spreadsheets, OCDS)"), cmd_export },
  { "import", N_("FILE [--dry-run] [--valid-rows]"), N_("Add projects from a CSV or XLSX ledger or an OCDS release package"), cmd_import },
  { "report", N_("PROJECT or --district -o FILE.pdf"), N_("Write the PDF report of a project or the district"), cmd_report },
  { "login", N_("--server URL --user NAME"), N_("Log in to a sync server (password on standard input)"), cmd_login },
  { "sync", "", N_("Send local changes to the server and fetch others’"), cmd_sync },
  { "conflicts", N_("[resolve ID --keep …]"), N_("List or resolve sync conflicts"), cmd_conflicts },
  { "logout", "", N_("End the session with the sync server"), cmd_logout },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: procura-cli COMMAND [OPTIONS] [ARGUMENTS]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      /* _("") would return the catalogue's header */
      const char *args = commands[i].args[0] != '\0' ? _(commands[i].args) : "";
      g_autofree char *left = g_strdup_printf ("%s %s", commands[i].name, args);
      glong width = 0;

      /* pad by screen columns: CJK characters take two */
      for (const char *p = left; *p != '\0'; p = g_utf8_next_char (p))
        width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

      fprintf (out, "  %s%*s %s\n", left, (int) MAX (0, 34 - width), "", _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("“procura-cli COMMAND --help” describes a command and its options."));
}

int
main (int    argc,
      char **argv)
{
  const char *locale_dir = LOCALEDIR;

  setlocale (LC_ALL, "");
  /* uninstalled runs (tests, the README's run script) use the build's catalogues */
  if (g_file_test (BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR) && !g_file_test (LOCALEDIR "/zh_CN/LC_MESSAGES/" GETTEXT_PACKAGE ".mo", G_FILE_TEST_EXISTS))
    locale_dir = BUILD_LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Global options may come before the command: bring the command to
   * argv[1] so each command's option parser sees them all. */
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--data-dir") == 0 || strcmp (argv[i], "-d") == 0 ||
          strcmp (argv[i], "--actor") == 0 || strcmp (argv[i], "--today") == 0)
        {
          i++;
          continue;
        }
      if (argv[i][0] == '-')
        continue;
      if (i > 1)
        {
          char *command = argv[i];

          memmove (&argv[2], &argv[1], (i - 1) * sizeof (char *));
          argv[1] = command;
        }
      break;
    }

  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USER;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      g_print ("procura-cli %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc, argv);

  if (argv[1][0] == '-')
    return fail (EXIT_USER, _("no command given (see procura-cli --help)"));

  return fail (EXIT_USER, _("unknown command “%s” (see procura-cli --help)"), argv[1]);
}
