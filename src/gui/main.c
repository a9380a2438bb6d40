/* main.c — the procura desktop application
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura"

#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "procura-application.h"

/* The catalogues of the build tree when this binary runs from it (and
 * they were built), else the installed ones. */
static const char *
locale_dir (void)
{
#ifdef PROCURA_GUI_BUILDDIR
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL && g_file_test (BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *exe_dir = g_path_get_dirname (exe);
      g_autofree char *real_exe_dir = realpath (exe_dir, NULL);
      g_autofree char *real_build_dir = realpath (PROCURA_GUI_BUILDDIR, NULL);

      if (real_exe_dir != NULL && real_build_dir != NULL &&
          g_str_equal (real_exe_dir, real_build_dir))
        return BUILD_LOCALEDIR;
    }
#endif

  return LOCALEDIR;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ProcuraApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = procura_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
