/* procura-blobs.h — attachment files kept by SHA-256
 *
 * Files live in <data-dir>/blobs/ab/cdef… (the first two hex digits as a
 * fan-out directory). A file is written to a temporary name, fsync'd and
 * renamed, so a crash never leaves a half-written blob under its hash; its
 * hash is checked again on every read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Copies the file into the blob directory; returns its SHA-256 (lower-case
 * hex) and size. Storing the same content twice is a no-op. */
char     *procura_blobs_import_file   (const char  *blob_dir,
                                       const char  *path,
                                       gint64      *out_size,
                                       GError     **error);
char     *procura_blobs_import_bytes  (const char  *blob_dir,
                                       GBytes      *bytes,
                                       GError     **error);
/* The path a blob would have (whether or not it exists). */
char     *procura_blobs_path          (const char  *blob_dir,
                                       const char  *sha256);
gboolean  procura_blobs_has           (const char  *blob_dir,
                                       const char  *sha256);
/* Reads a blob, verifying its hash: a mismatch is PROCURA_ERROR_CORRUPT. */
GBytes   *procura_blobs_read          (const char  *blob_dir,
                                       const char  *sha256,
                                       GError     **error);

/* Copies of attachments opened with another application: the blob has no
 * name, so it is copied (after its hash is checked) under its own file name
 * into a fresh read-only subdirectory of copies_dir, and the path returned.
 * The other application may read the copy long after we return, so copies
 * are removed later by procura_blobs_prune_copies(). */
char     *procura_blobs_copy_out      (const char  *blob_dir,
                                       const char  *sha256,
                                       const char  *name,
                                       const char  *copies_dir,
                                       GError     **error);
/* Removes the copies (subdirectories of copies_dir) made more than max_age
 * seconds ago; returns how many were removed. Anything else in copies_dir
 * is left alone. */
guint     procura_blobs_prune_copies  (const char  *copies_dir,
                                       gint64       max_age);

G_END_DECLS
