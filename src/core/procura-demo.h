/* procura-demo.h — deterministic, realistic demo data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* Called after each committed batch; done ≤ total projects. */
typedef void (*ProcuraDemoProgress) (guint    done,
                                     guint    total,
                                     gpointer user_data);

/* Generates n_projects projects with everything under them (and the
 * organizations they need) through the store's write path, so history and
 * outbox are filled as for any edit. The same seed and the same store
 * "today" give the same data, ids included. Commits in batches; on error
 * the current batch is rolled back and the error returned. */
gboolean procura_demo_generate (ProcuraStore         *store,
                                guint                 n_projects,
                                guint64               seed,
                                ProcuraDemoProgress   progress,
                                gpointer              user_data,
                                GError              **error);

G_END_DECLS
