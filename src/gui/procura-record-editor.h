/* procura-record-editor.h — the editor form for every entity
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

#include "procura-record.h"
#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_RECORD_EDITOR (procura_record_editor_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraRecordEditor, procura_record_editor, PROCURA, RECORD_EDITOR, AdwWindow)

/* A modal window editing one record of any entity, its form built from
 * the schema catalogue. id NULL creates a record, pre-filled from
 * defaults (may be NULL; e.g. project_id, milestone_id, kind); otherwise
 * the record with that id is edited. The window is not shown: call
 * gtk_window_present(). It validates live (every field parsed as typed,
 * then the whole record through the store's dry run), saves through the
 * store's write path, emits ProcuraRecordEditor::saved (the id) and
 * closes itself.
 *
 * Actions: editor.save (Ctrl+S, Ctrl+Return), editor.cancel (Escape);
 * closing with unsaved changes asks first. */
ProcuraRecordEditor *procura_record_editor_new               (GtkWindow               *parent,
                                                              ProcuraStore            *store,
                                                              const ProcuraEntityInfo *entity,
                                                              const char              *id_or_null,
                                                              ProcuraRecord           *defaults_or_null) G_GNUC_WARN_UNUSED_RESULT;

ProcuraStore            *procura_record_editor_get_store     (ProcuraRecordEditor     *self);
const ProcuraEntityInfo *procura_record_editor_get_entity    (ProcuraRecordEditor     *self);
/* The id being edited; NULL while creating (see get_saved_id). */
const char              *procura_record_editor_get_record_id (ProcuraRecordEditor     *self);

/* Hides the rows of these fields (NULL-terminated field names; NULL shows
 * every field again), e.g. project_id when the project is implied. Their
 * values — from the record or the defaults — are still saved. Call it
 * before presenting the window: the candidates of a reference are listed
 * only for rows that are shown. */
void                     procura_record_editor_set_hidden_fields (ProcuraRecordEditor *self,
                                                                  const char * const  *names);

/* Shows the other fields without letting them be changed (NULL-terminated
 * field names; NULL makes every field editable again). The editor does
 * this by itself for what the application's account may not change
 * (procura-permissions.h), e.g. an agency's organization beyond its
 * contact details. */
void                     procura_record_editor_set_editable_fields (ProcuraRecordEditor *self,
                                                                    const char * const  *names);
/* Whether the field has a row that may be changed now. */
gboolean                 procura_record_editor_get_field_editable (ProcuraRecordEditor *self,
                                                                   const char          *field);

/* Puts text into a field's row as if typed: the text of an entry; for
 * a choice an enumeration code or label, a referenced record's id or
 * name; for a switch yes/no, true/false, 是/否. Validation runs as it
 * does for typing. FALSE if the entity has no such field. */
gboolean                 procura_record_editor_set_text      (ProcuraRecordEditor     *self,
                                                              const char              *field,
                                                              const char              *text);
/* The text a field's row shows now (entries: as typed; choices: the
 * label shown; switches: "true"/"false"), or NULL for an unknown field. */
char                    *procura_record_editor_dup_text      (ProcuraRecordEditor     *self,
                                                              const char              *field) G_GNUC_WARN_UNUSED_RESULT;
/* The message shown next to the field, or NULL when there is none.
 * Runs pending validation first. */
const char              *procura_record_editor_get_error     (ProcuraRecordEditor     *self,
                                                              const char              *field);
/* The message shown at the top of the form (problems that name no shown
 * field, or a failed load), or NULL. Runs pending validation first. */
const char              *procura_record_editor_get_message   (ProcuraRecordEditor     *self);
/* Whether something changed and everything is valid
 * (ProcuraRecordEditor:can-save). Runs pending validation first. */
gboolean                 procura_record_editor_get_can_save  (ProcuraRecordEditor     *self);
/* Whether any field differs from what was loaded (ProcuraRecordEditor:dirty). */
gboolean                 procura_record_editor_get_dirty     (ProcuraRecordEditor     *self);
/* Saves now, as editor.save does: FALSE (the error is also shown) when
 * the record is not valid or the store refused it. */
gboolean                 procura_record_editor_save          (ProcuraRecordEditor     *self,
                                                              GError                 **error);
/* The id of the record written by the last successful save, or NULL.
 * A successful save closes the window, which is then destroyed unless a
 * reference is held: read it in ::saved, which carries it too. */
const char              *procura_record_editor_get_saved_id  (ProcuraRecordEditor     *self);

G_END_DECLS
