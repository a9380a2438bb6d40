/* procura-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "procura-paths.h"

char *
procura_paths_default_data_dir (void)
{
  const char *env = g_getenv (PROCURA_DATA_DIR_ENV);

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  return g_build_filename (g_get_user_data_dir (), "procura", NULL);
}

char *
procura_paths_resolve_data_dir (const char *explicit_dir)
{
  if (explicit_dir != NULL && explicit_dir[0] != '\0')
    return g_strdup (explicit_dir);

  return procura_paths_default_data_dir ();
}

char *
procura_paths_opened_copies_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "procura", "opened", NULL);
}
