/* procura-paths.h — where data lives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PROCURA_DATA_DIR_ENV "PROCURA_DATA_DIR"

/* The data directory: $PROCURA_DATA_DIR when set and not empty, else
 * $XDG_DATA_HOME/procura (g_get_user_data_dir()/procura). */
char *procura_paths_default_data_dir (void);
/* explicit (from --data-dir or a setting) when not NULL/empty, else the
 * default above. */
char *procura_paths_resolve_data_dir (const char *explicit_dir);

/* Where opened attachments are copied: $XDG_CACHE_HOME/procura/opened. */
char *procura_paths_opened_copies_dir (void);

G_END_DECLS
