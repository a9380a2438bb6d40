/* procura-server.c — the sync server and its administration commands
 *
 *   procura-server [--data-dir DIR] [--listen HOST:PORT]
 *                  [--tls-cert FILE --tls-key FILE] [serve]
 *   procura-server user add NAME --role ROLE [--org USCC]   (password on stdin)
 *   procura-server user list | disable NAME | enable NAME | passwd NAME
 *                  | revoke-tokens NAME
 *   procura-server backup FILE
 *   procura-server audit verify
 *
 * Exit codes: 0 success, 1 a refused command (message on stderr naming
 * what is wrong), 2 an internal error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "procura-date.h"
#include "procura-server-app.h"
#include "procura-server-auth.h"
#include "procura-server-storage.h"
#include "procura-uscc.h"

enum {
  EXIT_OK = 0,
  EXIT_USER = 1,
  EXIT_INTERNAL = 2,
};

#define DEFAULT_LISTEN "127.0.0.1:8765"

static char *opt_data_dir;
static char *opt_listen;
static char *opt_tls_cert;
static char *opt_tls_key;
static char *opt_role;
static char *opt_org;

static const GOptionEntry entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir, "Where the database lives", "DIR" },
  { "listen", 'l', 0, G_OPTION_ARG_STRING, &opt_listen, "Address to listen on (default " DEFAULT_LISTEN ")", "HOST:PORT" },
  { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_cert, "TLS certificate (PEM)", "FILE" },
  { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &opt_tls_key, "TLS private key (PEM)", "FILE" },
  { "role", 0, 0, G_OPTION_ARG_STRING, &opt_role, "user add: admin, officer, agency or auditor", "ROLE" },
  { "org", 0, 0, G_OPTION_ARG_STRING, &opt_org, "user add: the agency's unified social credit code", "USCC" },
  { NULL }
};

static int
fail (int         code,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static int
fail (int         code,
      const char *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("procura-server: %s\n", message);

  return code;
}

static int
fail_error (const GError *error)
{
  gboolean user = error->domain == PROCURA_SERVER_ERROR &&
                  (error->code == PROCURA_SERVER_ERROR_INVALID ||
                   error->code == PROCURA_SERVER_ERROR_EXISTS ||
                   error->code == PROCURA_SERVER_ERROR_NOT_FOUND);

  return fail (user ? EXIT_USER : EXIT_INTERNAL, "%s", error->message);
}

static char *
default_data_dir (void)
{
  const char *state = g_getenv ("STATE_DIRECTORY");  /* systemd StateDirectory= */

  if (state != NULL && state[0] != '\0')
    return g_strdup (state);

  return g_build_filename (g_get_user_data_dir (), "procura-server", NULL);
}

static ProcuraServerStorage *
open_storage (GError **error)
{
  g_autofree char *dir = opt_data_dir != NULL ? g_strdup (opt_data_dir) : default_data_dir ();

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "%s: %s", dir, g_strerror (errno));
      return NULL;
    }

  return procura_server_storage_sqlite_new (dir, error);
}

/* Administration is audited like everything else. */
static gboolean
audit_admin (ProcuraServerStorage  *storage,
             const char            *action,
             const char            *name,
             const char            *detail,
             GError               **error)
{
  g_autofree char *actor = g_strdup_printf ("cli:%s", g_get_user_name ());
  ProcuraAuditEntry entry = { 0 };

  entry.actor = actor;
  entry.action = action;
  entry.entity = "account";
  entry.id = name;
  entry.status = "ok";
  entry.detail = detail;

  return storage->ops->audit_append (storage, &entry, error);
}

/* ---- serve ----------------------------------------------------------- */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_listen (const char  *text,
              char       **out_host,
              guint16     *out_port)
{
  const char *colon = strrchr (text, ':');
  g_autofree char *host = NULL;
  guint64 port;

  if (colon == NULL || colon == text)
    return FALSE;
  host = g_strndup (text, colon - text);
  /* [::1]:8765 */
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    return FALSE;

  *out_host = g_steal_pointer (&host);
  *out_port = (guint16) port;
  return TRUE;
}

static int
cmd_serve (void)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(ProcuraServerApp) app = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  guint16 port;
  guint sigterm, sigint;

  if (!parse_listen (opt_listen != NULL ? opt_listen : DEFAULT_LISTEN, &host, &port))
    return fail (EXIT_USER, "listen: expected HOST:PORT, e.g. 127.0.0.1:8765");
  if ((opt_tls_cert == NULL) != (opt_tls_key == NULL))
    return fail (EXIT_USER, "tls-cert, tls-key: give both or neither");
  if (opt_tls_cert != NULL &&
      !(certificate = g_tls_certificate_new_from_files (opt_tls_cert, opt_tls_key, &error)))
    return fail (EXIT_USER, "tls-cert: %s", error->message);

  if (!(storage = open_storage (&error)))
    return fail_error (error);

  app = procura_server_app_new (storage, certificate);
  if (!procura_server_app_listen (app, host, port, &url, &error))
    return fail (EXIT_USER, "listen: %s", error->message);

  /* the first line of output: scripts and tests read the port from it */
  g_print ("listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigterm = g_unix_signal_add (SIGTERM, quit_cb, loop);
  sigint = g_unix_signal_add (SIGINT, quit_cb, loop);
  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);

  /* the app holds a borrowed pointer to the storage: it goes first */
  g_clear_object (&app);
  g_printerr ("procura-server: stopped\n");

  return EXIT_OK;
}

/* ---- user ------------------------------------------------------------ */

static gboolean
valid_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64 || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isalnum (c) && c != '.' && c != '_' && c != '-' && c != '@')
        return FALSE;
    }

  return TRUE;
}

/* One line of standard input, without its line end. */
static char *
read_password (GError **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  int c;

  while ((c = getchar ()) != EOF && c != '\n')
    {
      if (line->len > 4096)
        break;
      g_string_append_c (line, (char) c);
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  if (line->len < 8 || line->len > 1024)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INVALID,
                   "password: one line on standard input, 8 to 1024 characters");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static int
cmd_user_add (const char *name)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *detail = NULL;
  ProcuraServerUser user = { 0 };
  ProcuraRole role;

  if (!valid_name (name))
    return fail (EXIT_USER, "name: 1 to 64 letters, digits, “.”, “_”, “-” or “@”");
  if (opt_role == NULL || !procura_role_from_string (opt_role, &role))
    return fail (EXIT_USER, "role: must be admin, officer, agency or auditor");
  if (role == PROCURA_ROLE_AGENCY && opt_org == NULL)
    return fail (EXIT_USER, "org: an agency account needs --org with its unified social credit code");
  if (role != PROCURA_ROLE_AGENCY && opt_org != NULL)
    return fail (EXIT_USER, "org: only agency accounts belong to an organization");
  if (opt_org != NULL && !procura_uscc_validate (opt_org, &error))
    return fail (EXIT_USER, "org: %s", error->message);

  if (!(password = read_password (&error)))
    return fail_error (error);
  if (!(storage = open_storage (&error)))
    return fail_error (error);

  user.name = (char *) name;
  user.role = role;
  user.org_uscc = opt_org;
  user.password_hash = procura_auth_hash_password (password);
  memset (password, 0, strlen (password));
  if (user.password_hash == NULL)
    return fail (EXIT_INTERNAL, "hashing the password: out of memory");

  detail = g_strdup_printf ("role %s%s%s", opt_role, opt_org != NULL ? ", organization " : "",
                            opt_org != NULL ? opt_org : "");
  if (!storage->ops->user_add (storage, &user, &error) ||
      !audit_admin (storage, "user_add", name, detail, &error))
    {
      g_free (user.password_hash);
      return fail_error (error);
    }
  g_free (user.password_hash);

  g_print ("added %s (%s)\n", name, opt_role);
  return EXIT_OK;
}

static int
cmd_user_list (void)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  if (!(storage = open_storage (&error)) ||
      !(users = storage->ops->user_list (storage, &error)))
    return fail_error (error);

  for (guint i = 0; i < users->len; i++)
    {
      ProcuraServerUser *user = g_ptr_array_index (users, i);

      g_print ("%s\t%s\t%s\t%s\n", user->name, procura_role_to_string (user->role),
               user->org_uscc != NULL ? user->org_uscc : "-",
               user->disabled ? "disabled" : "active");
    }

  return EXIT_OK;
}

static int
cmd_user_change (const char *action,
                 const char *name)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *audit_action = NULL;
  gboolean ok;

  if (strcmp (action, "passwd") == 0 && !(password = read_password (&error)))
    return fail_error (error);
  if (!(storage = open_storage (&error)))
    return fail_error (error);

  if (strcmp (action, "disable") == 0)
    ok = storage->ops->user_set_disabled (storage, name, TRUE, &error);
  else if (strcmp (action, "enable") == 0)
    ok = storage->ops->user_set_disabled (storage, name, FALSE, &error);
  else if (strcmp (action, "revoke-tokens") == 0)
    ok = storage->ops->user_revoke_tokens (storage, name, &error);
  else
    {
      g_autofree char *hash = procura_auth_hash_password (password);

      memset (password, 0, strlen (password));
      if (hash == NULL)
        return fail (EXIT_INTERNAL, "hashing the password: out of memory");
      /* a new password ends the sessions opened with the old one */
      ok = storage->ops->user_set_password (storage, name, hash, &error) &&
           storage->ops->user_revoke_tokens (storage, name, &error);
    }

  audit_action = g_strdup_printf ("user_%s", action);
  if (!ok || !audit_admin (storage, audit_action, name, NULL, &error))
    return fail_error (error);

  g_print ("%s: %s done\n", name, action);
  return EXIT_OK;
}

/* ---- backup, audit --------------------------------------------------- */

static int
cmd_backup (const char *path)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(GError) error = NULL;

  if (!(storage = open_storage (&error)) ||
      !storage->ops->backup (storage, path, &error))
    return fail_error (error);

  g_print ("backed up to %s\n", path);
  return EXIT_OK;
}

static int
cmd_audit_verify (void)
{
  g_autoptr(ProcuraServerStorage) storage = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraAuditReport report;

  if (!(storage = open_storage (&error)) ||
      !storage->ops->audit_verify (storage, &report, &error))
    return fail_error (error);

  if (report.problem == PROCURA_AUDIT_OK)
    {
      g_print ("audit log intact: %" G_GINT64_FORMAT " entries\n", report.n_entries);
      return EXIT_OK;
    }

  g_print ("audit log damaged: entry %" G_GINT64_FORMAT " %s (at position %" G_GINT64_FORMAT
           "; %" G_GINT64_FORMAT " entries before it are intact)\n",
           report.bad_seq, procura_audit_problem_to_string (report.problem),
           report.position, report.n_entries);
  return EXIT_USER;
}

/* ---- main ------------------------------------------------------------ */

static const char usage[] =
  "Commands:\n"
  "  serve                              run the sync server (the default)\n"
  "  user add NAME --role ROLE [--org USCC]   password on standard input\n"
  "  user list\n"
  "  user disable NAME | enable NAME | passwd NAME | revoke-tokens NAME\n"
  "  backup FILE                        consistent copy of the database\n"
  "  audit verify                       recompute the audit log's hash chain";

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *command;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("[COMMAND …]");
  g_option_context_set_summary (context, "Procura sync server");
  g_option_context_set_description (context, usage);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (EXIT_USER, "%s", error->message);

  if (!procura_auth_init ())
    return fail (EXIT_INTERNAL, "libsodium could not be initialised");

  command = argc > 1 ? argv[1] : "serve";

  if (strcmp (command, "serve") == 0 && argc <= 2)
    return cmd_serve ();

  if (strcmp (command, "user") == 0 && argc >= 3)
    {
      const char *action = argv[2];

      if (strcmp (action, "list") == 0 && argc == 3)
        return cmd_user_list ();
      if (strcmp (action, "add") == 0 && argc == 4)
        return cmd_user_add (argv[3]);
      if ((strcmp (action, "disable") == 0 || strcmp (action, "enable") == 0 ||
           strcmp (action, "passwd") == 0 || strcmp (action, "revoke-tokens") == 0) && argc == 4)
        return cmd_user_change (action, argv[3]);
    }

  if (strcmp (command, "backup") == 0 && argc == 3)
    return cmd_backup (argv[2]);

  if (strcmp (command, "audit") == 0 && argc == 3 && strcmp (argv[2], "verify") == 0)
    return cmd_audit_verify ();

  return fail (EXIT_USER, "unknown command or wrong arguments\n%s", usage);
}
