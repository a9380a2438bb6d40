/* procura-ocds-record.h — projects and their history as an OCDS 1.1.5
 * record package
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* Appends a record package (one record per project, ordered by project
 * number) to out. Each record holds:
 *  - releases: the project as it stood after each group of writes in its
 *    history (one group: consecutive changes with the same time, author
 *    and device, i.e. one save and what the workflow did with it),
 *    rebuilt from the history tables and mapped by the same code as the
 *    release package; a group that changes nothing the release shows
 *    gives no release. id "<ocid>-<last change id of the group>", date the
 *    group's UTC time. The last release is the release package's release
 *    of the project (same id, date and content). Attachments flagged as
 *    holding personal information or deleted since are left out of every
 *    release, and personal fields (an organization's contact) of no
 *    state are read;
 *  - compiledRelease: the current release, tagged "compiled";
 *  - versionedRelease: the releases merged by the OCDS rules (arrays of
 *    objects with an id merged by id; each other value a list of
 *    {releaseID, releaseDate, releaseTag, value} when it changed). The
 *    releases are whole snapshots, so a value that disappears is versioned
 *    as null.
 * project_ids, prefix and uri as for procura_ocds_export_release_package().
 * Nothing is appended on error. */
gboolean procura_ocds_export_record_package (ProcuraStore  *store,
                                             GPtrArray     *project_ids,
                                             const char    *prefix,
                                             const char    *uri,
                                             GString       *out,
                                             GError       **error);

/* The same into path, atomically. */
gboolean procura_ocds_record_export_to_file (ProcuraStore  *store,
                                             GPtrArray     *project_ids,
                                             const char    *prefix,
                                             const char    *path,
                                             GError       **error);

G_END_DECLS
