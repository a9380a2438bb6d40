/* procura-ocds.h — projects as an OCDS 1.1.5 release package
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"
/* the record package, built by the same release mapping */
#include "procura-ocds-record.h"

G_BEGIN_DECLS

/* ocid = prefix "-" project number; the prefix used when neither the
 * caller nor the preference gives one. */
#define PROCURA_OCDS_DEFAULT_PREFIX "ocds-procura"

/* The extensions an export declares (extension.json URLs). */
#define PROCURA_OCDS_EXTENSION_RELATED_MILESTONE \
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_transactions_relatedMilestone_extension/master/extension.json"
#define PROCURA_OCDS_EXTENSION_METRICS \
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json"
#define PROCURA_OCDS_EXTENSION_CONTRACT_COMPLETION \
  "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contract_completion_extension/master/extension.json"

/* Appends a release package (one release per project, ordered by project
 * number) to out as UTF-8 JSON. A release's id is "<ocid>-<id of the last
 * change to the project, anything under it (deletions too), its buyer or
 * agency>", its date that change's time: the id of the record package's
 * last release for the project, unchanged while nothing is written. project_ids (NULL: every live project)
 * limits it; prefix NULL means PROCURA_OCDS_DEFAULT_PREFIX; uri is the
 * package's uri (NULL: a urn naming Procura). Amounts are written from
 * 分 with exactly two decimals, never through a double. Nothing is
 * appended on error. */
gboolean procura_ocds_export_release_package (ProcuraStore  *store,
                                              GPtrArray     *project_ids,
                                              const char    *prefix,
                                              const char    *uri,
                                              GString       *out,
                                              GError       **error);

/* The same into path, atomically (a temporary file renamed over it). */
gboolean procura_ocds_export_to_file         (ProcuraStore  *store,
                                              GPtrArray     *project_ids,
                                              const char    *prefix,
                                              const char    *path,
                                              GError       **error);

/* An ocid prefix is an OCDS prefix ("ocds-" and six letters or digits,
 * registered with the Open Contracting Partnership) or, for data not
 * published under one, any other non-empty text of ASCII letters, digits
 * and "-". The error names the prefix and the reason. */
gboolean procura_ocds_check_prefix           (const char    *prefix,
                                              GError       **error);

/* The prefix chosen in the app's preferences (GSettings key
 * "ocds-ocid-prefix"), as it is stored, unchecked; NULL where this
 * installation has no such schema or key, or the value is empty. Read
 * defensively: procura-cli runs uninstalled and without the schema. */
char    *procura_ocds_dup_preferred_prefix    (void);

G_END_DECLS
