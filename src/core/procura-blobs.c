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
