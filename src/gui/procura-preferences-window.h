/* procura-preferences-window.h — the preferences: data folder, reminders
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

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PROCURA_TYPE_PREFERENCES_WINDOW (procura_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraPreferencesWindow, procura_preferences_window, PROCURA, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* data_dir: the data folder in use. The window edits the data-dir and
 * reminder-lead-days settings; a new data folder is used after a restart.
 *
 * Actions: prefs.choose-data-dir (a folder chooser), prefs.reset-data-dir. */
GtkWidget  *procura_preferences_window_new               (GtkWindow                *parent,
                                                          const char               *data_dir) G_GNUC_WARN_UNUSED_RESULT;
/* The folder in use (ProcuraPreferencesWindow:data-dir). */
const char *procura_preferences_window_get_data_dir      (ProcuraPreferencesWindow *self);
/* The folder chosen for the next start (the data-dir setting), or NULL
 * for the default. */
char       *procura_preferences_window_dup_next_data_dir (ProcuraPreferencesWindow *self) G_GNUC_WARN_UNUSED_RESULT;
/* What choosing a folder does: keeps it in the data-dir setting (NULL:
 * the default again) and says it is used after a restart. */
void        procura_preferences_window_set_next_data_dir (ProcuraPreferencesWindow *self,
                                                          const char               *data_dir);

G_END_DECLS
