/* procura-blobs.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "procura-blobs.h"
#include "procura-error.h"

static gboolean
is_sha256_hex (const char *sha256)
{
  return sha256 != NULL && strlen (sha256) == 64 && strspn (sha256, "0123456789abcdef") == 64;
}

char *
procura_blobs_path (const char *blob_dir,
                    const char *sha256)
{
  char prefix[3] = { sha256[0], sha256[1], 0 };

  return g_build_filename (blob_dir, prefix, sha256 + 2, NULL);
}

gboolean
procura_blobs_has (const char *blob_dir,
                   const char *sha256)
{
  g_autofree char *path = NULL;

  if (!is_sha256_hex (sha256))
    return FALSE;

  path = procura_blobs_path (blob_dir, sha256);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }

  return TRUE;
}

/* fsync the directory so the rename itself survives a power cut */
static void
sync_dir (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

char *
procura_blobs_import_bytes (const char  *blob_dir,
                            GBytes      *bytes,
                            GError     **error)
{
  g_autofree char *sha256 = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  int fd;

  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  path = procura_blobs_path (blob_dir, sha256);

  /* Same content already kept: nothing to do — unless the kept copy is
   * damaged, then the fresh copy replaces it. */
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GBytes) existing = procura_blobs_read (blob_dir, sha256, NULL);

      if (existing != NULL)
        return g_steal_pointer (&sha256);
    }

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Attachment: cannot create “%s”: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Attachment: cannot write to “%s”: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  if (!write_all (fd, data, len) || fsync (fd) != 0)
    {
      int errsv = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Attachment: writing failed: %s"), g_strerror (errsv));
      return NULL;
    }
  close (fd);

  if (g_rename (tmp, path) != 0)
    {
      int errsv = errno;
      g_unlink (tmp);
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Attachment: cannot store the file: %s"), g_strerror (errsv));
      return NULL;
    }
  sync_dir (dir);

  return g_steal_pointer (&sha256);
}

char *
procura_blobs_import_file (const char  *blob_dir,
                           const char  *path,
                           gint64      *out_size,
                           GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Attachment: cannot read “%s”: %s"), path, local_error->message);
      return NULL;
    }

  bytes = g_mapped_file_get_bytes (mapped);
  if (out_size != NULL)
    *out_size = g_bytes_get_size (bytes);

  return procura_blobs_import_bytes (blob_dir, bytes, error);
}

GBytes *
procura_blobs_read (const char  *blob_dir,
                    const char  *sha256,
                    GError     **error)
{
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize len = 0;
  GBytes *bytes;

  if (!is_sha256_hex (sha256))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("SHA-256: “%s” is not 64 lower-case hexadecimal digits"), sha256);
      return NULL;
    }

  path = procura_blobs_path (blob_dir, sha256);
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("Attachment: file %s is missing: %s"), sha256, local_error->message);
      return NULL;
    }

  bytes = g_bytes_new_take (contents, len);
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  if (strcmp (actual, sha256) != 0)
    {
      g_bytes_unref (bytes);
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT,
                   _("Attachment: file %s is damaged (its content hashes to %s)"), sha256, actual);
      return NULL;
    }

  return bytes;
}

/* ---- copies opened with other applications ------------------------------- */

#define COPY_PREFIX "open-"

/* A file name safe to create: the original one without directories. */
static char *
safe_file_name (const char *name)
{
  g_autofree char *base = g_path_get_basename (name != NULL && name[0] != '\0' ? name : "attachment");

  g_strdelimit (base, "/\\", '_');
  if (g_str_equal (base, ".") || g_str_equal (base, ".."))
    return g_strdup ("attachment");

  return g_steal_pointer (&base);
}

char *
procura_blobs_copy_out (const char  *blob_dir,
                        const char  *sha256,
                        const char  *name,
                        const char  *copies_dir,
                        GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (blob_dir != NULL, NULL);
  g_return_val_if_fail (copies_dir != NULL, NULL);

  if (!(bytes = procura_blobs_read (blob_dir, sha256, error)))
    return NULL;

  if (g_mkdir_with_parents (copies_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder “%s”: %s"), copies_dir, g_strerror (saved));
      return NULL;
    }

  dir = g_build_filename (copies_dir, COPY_PREFIX "XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder “%s”: %s"), copies_dir, g_strerror (saved));
      return NULL;
    }

  file_name = safe_file_name (name);
  path = g_build_filename (dir, file_name, NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0400, error))
    {
      g_rmdir (dir);
      return NULL;
    }

  return g_steal_pointer (&path);
}

guint
procura_blobs_prune_copies (const char *copies_dir,
                            gint64      max_age)
{
  g_autoptr(GDir) dir = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *entry;
  guint removed = 0;

  g_return_val_if_fail (copies_dir != NULL, 0);

  if (!(dir = g_dir_open (copies_dir, 0, NULL)))
    return 0;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *copy_dir = NULL;
      g_autoptr(GDir) inner = NULL;
      const char *file;
      GStatBuf st;

      if (!g_str_has_prefix (entry, COPY_PREFIX))
        continue;

      copy_dir = g_build_filename (copies_dir, entry, NULL);
      if (g_lstat (copy_dir, &st) != 0 || !S_ISDIR (st.st_mode) || now - (gint64) st.st_mtime < max_age)
        continue;

      if ((inner = g_dir_open (copy_dir, 0, NULL)) != NULL)
        while ((file = g_dir_read_name (inner)) != NULL)
          {
            g_autofree char *path = g_build_filename (copy_dir, file, NULL);

            g_remove (path);
          }
      if (g_rmdir (copy_dir) == 0)
        removed++;
    }

  return removed;
}
