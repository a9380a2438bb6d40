/* procura-ocds-private.h — what the release and record packages share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "procura-query.h"
#include "procura-store.h"

G_BEGIN_DECLS

/* Which extensions the releases written so far use. */
typedef struct
{
  gboolean related_milestone;
  gboolean completion;
  gboolean metrics;
} ProcuraOcdsUsed;

/* The one mapping of a project bundle (project, organizations, amendments,
 * milestones, payments, attachments, indicators and their periods; other
 * children may be NULL) to an OCDS release. change_id and change_at are
 * the bundle's last change (_procura_ocds_changes_last()): the release is
 * "<ocid>-<change_id>", dated then, as the record package's release of
 * that change is; with change_id 0 (a store without history) it is
 * "<ocid>-<time>" of the latest write in the bundle, or of now. */
JsonObject *_procura_ocds_build_release    (ProcuraStore         *store,
                                            ProcuraProjectBundle *bundle,
                                            const char           *prefix,
                                            const char           *now,
                                            gint64                change_id,
                                            const char           *change_at,
                                            ProcuraOcdsUsed      *used);

/* The last changes of an export's projects and organizations. */
typedef struct _ProcuraOcdsChanges ProcuraOcdsChanges;

/* For the projects of project_ids (NULL: all): a whole store is read in
 * one query per table, a few projects are looked up one by one. */
ProcuraOcdsChanges *_procura_ocds_changes_new  (ProcuraStore        *store,
                                                GPtrArray           *project_ids,
                                                GError             **error);
void        _procura_ocds_changes_free     (ProcuraOcdsChanges   *changes);

/* The latest change of the bundle's project, any record under it (a
 * deletion too) and its buyer and agency: *change_id 0 and *change_at
 * NULL when there is none; *change_at belongs to changes. */
gboolean    _procura_ocds_changes_last     (ProcuraOcdsChanges   *changes,
                                            ProcuraProjectBundle *bundle,
                                            gint64               *change_id,
                                            const char          **change_at,
                                            GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraOcdsChanges, _procura_ocds_changes_free)

/* Called for each chosen project in project number order; the bundle
 * holds what _procura_ocds_build_release() reads. */
typedef gboolean (*ProcuraOcdsBundleFunc) (ProcuraProjectBundle  *bundle,
                                           gpointer               user_data,
                                           GError               **error);

/* The live projects of project_ids (NULL: all), skipping unknown ids. A
 * whole store is read in one pass per table. */
gboolean    _procura_ocds_foreach_bundle   (ProcuraStore          *store,
                                            GPtrArray             *project_ids,
                                            ProcuraOcdsBundleFunc  func,
                                            gpointer               user_data,
                                            GError               **error);

/* Appends node as JSON, nested depth levels deep (two spaces each). An
 * integer member "amount" is 分 and written as yuan with two decimals, an
 * integer "measure" is hundredths; name is the member node is the value of
 * (NULL in arrays and at the top). */
void        _procura_ocds_write_node       (GString              *out,
                                            JsonNode             *node,
                                            const char           *name,
                                            guint                 depth);
void        _procura_ocds_write_string     (GString              *out,
                                            const char           *text);
void        _procura_ocds_indent           (GString              *out,
                                            guint                 depth);

/* The "extensions" URLs of what used marks, as a JSON array member
 * (nothing when none) at depth 1 of a package, preceded by ",". */
void        _procura_ocds_write_extensions (GString              *out,
                                            const ProcuraOcdsUsed *used);

/* "{" and the uri, version, publishedDate and publisher members of a
 * package, without a trailing ",". */
void        _procura_ocds_write_package_head (GString            *out,
                                              const char         *uri,
                                              const char         *now);

/* The package's uri for a file path (a file: URI, the path made absolute
 * first when needed). */
char       *_procura_ocds_uri_for_path     (const char           *path);

/* A package is head, body and tail: appended to out, or (out NULL)
 * written to path, replacing it atomically; errors name the output file. */
gboolean    _procura_ocds_emit             (GString              *head,
                                            GString              *body,
                                            const char           *tail,
                                            GString              *out,
                                            const char           *path,
                                            GError              **error);

G_END_DECLS
