/* test-blobs.c — attachment files kept by SHA-256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#include "procura-blobs.h"
#include "procura-error.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- fixture -------------------------------------------------------- */

typedef struct
{
  char *dir;        /* the test's own temporary directory */
  char *blob_dir;   /* <dir>/blobs */
} BlobFixture;

typedef void (*BlobTestFunc) (BlobFixture *f);

/* In the child: the parent made the directory and removes it. */
static void
run_in_dir (const char    *dir,
            gconstpointer  data)
{
  BlobTestFunc func = (BlobTestFunc) data;
  BlobFixture f;

  f.dir = g_strdup (dir);
  f.blob_dir = g_build_filename (f.dir, "blobs", NULL);
  g_assert_cmpint (g_mkdir (f.blob_dir, 0700), ==, 0);
  func (&f);
  g_free (f.dir);
  g_free (f.blob_dir);
}

static void
run_blob_test (gconstpointer data)
{
  procura_test_run_in_tmp_dir ("procura-test-blobs-XXXXXX", run_in_dir, data);
}

/* ---- helpers -------------------------------------------------------- */

typedef struct
{
  guint n_files;
  guint n_temporary;
  guint n_misnamed;   /* files whose name is not the hash of their content */
} Census;

/* Walks the blob directory: <blob_dir>/<2 hex>/<62 hex>. */
static Census
census (const char *blob_dir)
{
  g_autoptr(GDir) top = g_dir_open (blob_dir, 0, NULL);
  Census c = { 0, };
  const char *prefix;

  g_assert_nonnull (top);
  while ((prefix = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *sub_path = g_build_filename (blob_dir, prefix, NULL);
      g_autoptr(GDir) sub = NULL;
      const char *name;

      if (strstr (prefix, "tmp") != NULL)
        c.n_temporary++;
      if (!g_file_test (sub_path, G_FILE_TEST_IS_DIR))
        {
          c.n_files++;
          c.n_misnamed++;
          continue;
        }

      sub = g_dir_open (sub_path, 0, NULL);
      g_assert_nonnull (sub);
      while ((name = g_dir_read_name (sub)) != NULL)
        {
          g_autofree char *path = g_build_filename (sub_path, name, NULL);
          g_autofree char *expected = g_strconcat (prefix, name, NULL);
          g_autofree char *contents = NULL;
          g_autofree char *actual = NULL;
          gsize len = 0;

          c.n_files++;
          if (strstr (name, "tmp") != NULL)
            c.n_temporary++;
          g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
          actual = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
          if (strcmp (actual, expected) != 0)
            c.n_misnamed++;
        }
    }

  return c;
}

static char *
import_ok (BlobFixture *f,
           const char  *data,
           gsize        len)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, len);
  g_autoptr(GError) error = NULL;
  char *sha256;

  sha256 = procura_blobs_import_bytes (f->blob_dir, bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sha256);

  return sha256;
}

static void
overwrite (BlobFixture *f,
           const char  *sha256,
           const char  *data,
           gssize       len)
{
  g_autofree char *path = procura_blobs_path (f->blob_dir, sha256);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

/* ---- tests ---------------------------------------------------------- */

static void
test_import_bytes (BlobFixture *f)
{
  static const char text[] = "第二季度服务报告\n签到表共 12 页\n";
  g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, strlen (text));
  g_autofree char *sha256 = import_ok (f, text, strlen (text));
  g_autofree char *path = procura_blobs_path (f->blob_dir, sha256);
  g_autofree char *want_path = NULL;
  g_autofree char *prefix = g_strndup (expected, 2);
  g_autofree char *contents = NULL;
  gsize len = 0;
  Census c;

  g_assert_cmpstr (sha256, ==, expected);
  g_assert_cmpuint (strlen (sha256), ==, 64);

  /* <blob_dir>/ab/cdef… */
  want_path = g_build_filename (f->blob_dir, prefix, expected + 2, NULL);
  g_assert_cmpstr (path, ==, want_path);
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, text, strlen (text));
  g_assert_true (procura_blobs_has (f->blob_dir, sha256));

  c = census (f->blob_dir);
  g_assert_cmpuint (c.n_files, ==, 1);
  g_assert_cmpuint (c.n_temporary, ==, 0);
  g_assert_cmpuint (c.n_misnamed, ==, 0);
}

static void
test_import_file (BlobFixture *f)
{
  static const char text[] = "%PDF-1.4 fake contract annex\n";
  g_autofree char *source = g_build_filename (f->dir, "合同附件.pdf", NULL);
  g_autofree char *expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text, strlen (text));
  g_autofree char *sha256 = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  gint64 size = -1;

  g_assert_true (g_file_set_contents (source, text, -1, NULL));
  sha256 = procura_blobs_import_file (f->blob_dir, source, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha256, ==, expected);
  g_assert_cmpint (size, ==, (gint64) strlen (text));

  /* the source stays where it was */
  g_assert_true (g_file_test (source, G_FILE_TEST_IS_REGULAR));

  /* the same content as bytes is the same blob */
  again = import_ok (f, text, strlen (text));
  g_assert_cmpstr (again, ==, sha256);
  g_assert_cmpuint (census (f->blob_dir).n_files, ==, 1);
}

static void
test_import_file_missing (BlobFixture *f)
{
  g_autofree char *source = g_build_filename (f->dir, "不存在.pdf", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  gint64 size = -1;

  sha256 = procura_blobs_import_file (f->blob_dir, source, &size, &error);
  g_assert_null (sha256);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "Attachment"));
  g_assert_cmpuint (census (f->blob_dir).n_files, ==, 0);
}

static void
test_same_content_once (BlobFixture *f)
{
  g_autofree char *a = import_ok (f, "same", 4);
  g_autofree char *b = import_ok (f, "same", 4);
  g_autofree char *c = import_ok (f, "other", 5);
  g_autofree char *path = procura_blobs_path (f->blob_dir, a);
  GStatBuf before, after;
  Census n;

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  n = census (f->blob_dir);
  g_assert_cmpuint (n.n_files, ==, 2);
  g_assert_cmpuint (n.n_temporary, ==, 0);

  /* a third import of the same content does not rewrite the file */
  g_assert_cmpint (g_stat (path, &before), ==, 0);
  g_free (b);
  b = import_ok (f, "same", 4);
  g_assert_cmpint (g_stat (path, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  g_assert_cmpuint (census (f->blob_dir).n_files, ==, 2);
}

static void
test_read_verifies (BlobFixture *f)
{
  g_autofree char *sha256 = import_ok (f, "居民满意度调查问卷", strlen ("居民满意度调查问卷"));
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rehash = NULL;

  bytes = procura_blobs_read (f->blob_dir, sha256, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   "居民满意度调查问卷", strlen ("居民满意度调查问卷"));
  rehash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_assert_cmpstr (rehash, ==, sha256);
}

static void
test_empty_and_large (BlobFixture *f)
{
  g_autofree char *empty = import_ok (f, "", 0);
  g_autoptr(GBytes) read_empty = NULL;
  g_autoptr(GBytes) read_large = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *large = g_malloc (3 * 1024 * 1024 + 7);
  g_autofree char *expected = NULL;
  g_autofree char *large_sha = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20210915);

  g_assert_cmpstr (empty, ==, EMPTY_SHA256);
  read_empty = procura_blobs_read (f->blob_dir, empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (read_empty), ==, 0);

  for (gsize i = 0; i < 3 * 1024 * 1024 + 7; i++)
    large[i] = (guint8) g_rand_int_range (rand, 0, 256);
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, large, 3 * 1024 * 1024 + 7);
  large_sha = import_ok (f, (const char *) large, 3 * 1024 * 1024 + 7);
  g_assert_cmpstr (large_sha, ==, expected);
  read_large = procura_blobs_read (f->blob_dir, large_sha, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (read_large, NULL), g_bytes_get_size (read_large),
                   large, 3 * 1024 * 1024 + 7);
  g_assert_cmpuint (census (f->blob_dir).n_misnamed, ==, 0);
}

static void
assert_corrupt (BlobFixture *f,
                const char  *sha256)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = procura_blobs_read (f->blob_dir, sha256, &error);

  g_assert_null (bytes);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, sha256));
}

static void
test_corrupt_detected (BlobFixture *f)
{
  g_autofree char *same_length = import_ok (f, "签到表第1页", strlen ("签到表第1页"));
  g_autofree char *truncated = import_ok (f, "a longer attachment body", 24);
  g_autofree char *emptied = import_ok (f, "x", 1);
  g_autofree char *intact = import_ok (f, "untouched", 9);
  g_autoptr(GBytes) ok = NULL;
  g_autoptr(GError) error = NULL;

  /* one byte flipped */
  {
    g_autofree char *path = procura_blobs_path (f->blob_dir, same_length);
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    contents[len - 1] ^= 0x01;
    overwrite (f, same_length, contents, len);
  }
  assert_corrupt (f, same_length);

  overwrite (f, truncated, "a longer", 8);
  assert_corrupt (f, truncated);

  overwrite (f, emptied, "", 0);
  assert_corrupt (f, emptied);

  /* others are unaffected */
  ok = procura_blobs_read (f->blob_dir, intact, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

static void
test_missing (BlobFixture *f)
{
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "never imported", -1);
  g_autofree char *kept = import_ok (f, "kept", 4);
  g_autofree char *path = procura_blobs_path (f->blob_dir, kept);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) removed_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) removed = NULL;

  g_assert_false (procura_blobs_has (f->blob_dir, sha256));
  bytes = procura_blobs_read (f->blob_dir, sha256, &error);
  g_assert_null (bytes);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, sha256));

  /* a file that disappeared from disk */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (procura_blobs_has (f->blob_dir, kept));
  removed = procura_blobs_read (f->blob_dir, kept, &removed_error);
  g_assert_null (removed);
  g_assert_error (removed_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
}

static void
test_bad_hash (BlobFixture *f)
{
  static const char * const bad[] = {
    "",
    "abc",
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
    "../../../../../../etc/passwd",
  };
  G_GNUC_UNUSED g_autofree char *empty = import_ok (f, "", 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      g_test_message ("hash “%s”", bad[i]);
      g_assert_false (procura_blobs_has (f->blob_dir, bad[i]));
      bytes = procura_blobs_read (f->blob_dir, bad[i], &error);
      g_assert_null (bytes);
      g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "SHA-256"));
    }
}

/* However imports go, only finished blobs are left, under their hash. */
static void
test_no_temporary_files (BlobFixture *f)
{
  static const char * const contents[] = { "a", "b", "a", "", "长一点的内容", "b", "" };
  g_autofree char *prefix = NULL;
  g_autofree char *blocker = NULL;
  g_autoptr(GBytes) blocked = g_bytes_new_static ("blocked", 7);
  g_autoptr(GError) error = NULL;
  g_autofree char *blocked_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, blocked);
  char *sha256;
  Census c;

  for (guint i = 0; i < G_N_ELEMENTS (contents); i++)
    {
      G_GNUC_UNUSED g_autofree char *sha = import_ok (f, contents[i], strlen (contents[i]));
    }
  c = census (f->blob_dir);
  g_assert_cmpuint (c.n_files, ==, 4);
  g_assert_cmpuint (c.n_temporary, ==, 0);
  g_assert_cmpuint (c.n_misnamed, ==, 0);

  /* a failing import (its fan-out directory cannot be made) leaves
   * nothing behind either */
  prefix = g_strndup (blocked_sha, 2);
  blocker = g_build_filename (f->blob_dir, prefix, NULL);
  g_assert_false (g_file_test (blocker, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_set_contents (blocker, "not a directory", -1, NULL));
  sha256 = procura_blobs_import_bytes (f->blob_dir, blocked, &error);
  g_assert_null (sha256);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE);
  g_assert_cmpint (g_unlink (blocker), ==, 0);
  c = census (f->blob_dir);
  g_assert_cmpuint (c.n_files, ==, 4);
  g_assert_cmpuint (c.n_temporary, ==, 0);
}

/* The store keeps its blobs in <data dir>/blobs. */
static void
test_store_blob_dir (BlobFixture *f)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *blob_dir = g_build_filename (data_dir, "blobs", NULL);
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("附件", strlen ("附件"));
  g_autofree char *sha256 = NULL;

  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, "2021-09-15");
  g_assert_true (g_file_test (blob_dir, G_FILE_TEST_IS_DIR));
  sha256 = procura_blobs_import_bytes (blob_dir, bytes, &error);
  g_assert_no_error (error);
  g_assert_true (procura_blobs_has (blob_dir, sha256));
}

/* Importing the right content again repairs a damaged copy: otherwise the
 * blob would stay unreadable for good, and procura_blobs_has() would keep
 * saying it is there, so sync would never fetch it again. */
static void
test_reimport_repairs (BlobFixture *f)
{
  g_autofree char *sha256 = import_ok (f, "原始签到表", strlen ("原始签到表"));
  g_autofree char *again = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  overwrite (f, sha256, "damaged", 7);
  assert_corrupt (f, sha256);

  again = import_ok (f, "原始签到表", strlen ("原始签到表"));
  g_assert_cmpstr (again, ==, sha256);
  bytes = procura_blobs_read (f->blob_dir, sha256, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (census (f->blob_dir).n_misnamed, ==, 0);
}

/* ---- copies for other applications ---------------------------------- */

/* A copy carries the file's own name (no directories), is read-only, holds
 * the content, and each opening gets its own folder. */
static void
test_copy_out (BlobFixture *f)
{
  static const char text[] = "结项评估报告（终稿）";
  g_autofree char *sha256 = import_ok (f, text, strlen (text));
  g_autofree char *copies = g_build_filename (f->dir, "cache", "opened", NULL);
  g_autofree char *path = NULL;
  g_autofree char *again = NULL;
  g_autofree char *evil = NULL;
  g_autofree char *unnamed = NULL;
  g_autofree char *base = NULL;
  g_autofree char *content = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;
  GStatBuf st;

  path = procura_blobs_copy_out (f->blob_dir, sha256, "评估报告.pdf", copies, &error);
  g_assert_no_error (error);
  base = g_path_get_basename (path);
  g_assert_cmpstr (base, ==, "评估报告.pdf");
  g_assert_true (g_file_get_contents (path, &content, &len, NULL));
  g_assert_cmpmem (content, len, text, strlen (text));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0400);

  again = procura_blobs_copy_out (f->blob_dir, sha256, "评估报告.pdf", copies, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again, !=, path);
  g_assert_cmpuint (procura_test_count_entries (copies), ==, 2);

  /* a name with directories stays inside its folder */
  evil = procura_blobs_copy_out (f->blob_dir, sha256, "../../etc/passwd", copies, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (evil, copies));
  g_free (base);
  base = g_path_get_basename (evil);
  g_assert_cmpstr (base, ==, "passwd");
  unnamed = procura_blobs_copy_out (f->blob_dir, sha256, NULL, copies, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (unnamed, "/attachment"));
}

/* A damaged blob is not copied out: the hash is checked first. */
static void
test_copy_out_corrupt (BlobFixture *f)
{
  g_autofree char *sha256 = import_ok (f, "签到表", strlen ("签到表"));
  g_autofree char *copies = g_build_filename (f->dir, "opened", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  overwrite (f, sha256, "tampered", 8);
  path = procura_blobs_copy_out (f->blob_dir, sha256, "签到表.jpg", copies, &error);
  g_assert_null (path);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT);
  g_assert_cmpuint (procura_test_count_entries (copies), ==, 0);
}

/* Old copies go, recent ones and anything else in the folder stay. */
static void
test_prune_copies (BlobFixture *f)
{
  g_autofree char *sha256 = import_ok (f, "照片", strlen ("照片"));
  g_autofree char *copies = g_build_filename (f->dir, "opened", NULL);
  g_autofree char *old_copy = NULL;
  g_autofree char *old_dir = NULL;
  g_autofree char *new_copy = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *other = g_build_filename (copies, "keep-me", NULL);
  g_autoptr(GError) error = NULL;
  struct utimbuf two_days_ago;

  old_copy = procura_blobs_copy_out (f->blob_dir, sha256, "旧.jpg", copies, &error);
  g_assert_no_error (error);
  new_copy = procura_blobs_copy_out (f->blob_dir, sha256, "新.jpg", copies, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (other, 0700), ==, 0);

  old_dir = g_path_get_dirname (old_copy);
  new_dir = g_path_get_dirname (new_copy);
  two_days_ago.actime = two_days_ago.modtime = time (NULL) - 2 * 24 * 60 * 60;
  g_assert_cmpint (g_utime (old_dir, &two_days_ago), ==, 0);
  g_assert_cmpint (g_utime (other, &two_days_ago), ==, 0);

  g_assert_cmpuint (procura_blobs_prune_copies (copies, 24 * 60 * 60), ==, 1);
  g_assert_false (g_file_test (old_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_copy, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (other, G_FILE_TEST_IS_DIR));

  /* nothing more to do; a missing folder is no error */
  g_assert_cmpuint (procura_blobs_prune_copies (copies, 24 * 60 * 60), ==, 0);
  g_assert_cmpuint (procura_blobs_prune_copies (f->dir, 0), ==, 0);
  g_assert_true (g_file_test (f->blob_dir, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (procura_blobs_prune_copies ("/nonexistent/procura", 0), ==, 0);
}

/* ---- running tests ------------------------------------------------- */

int
main (int argc, char *argv[])
{
  static const struct { const char *path; BlobTestFunc func; } tests[] = {
    { "/blobs/import/bytes", test_import_bytes },
    { "/blobs/import/file", test_import_file },
    { "/blobs/import/file-missing", test_import_file_missing },
    { "/blobs/import/same-content-once", test_same_content_once },
    { "/blobs/import/empty-and-large", test_empty_and_large },
    { "/blobs/import/no-temporary-files", test_no_temporary_files },
    { "/blobs/import/store-blob-dir", test_store_blob_dir },
    { "/blobs/import/repairs-damaged", test_reimport_repairs },
    { "/blobs/read/verifies", test_read_verifies },
    { "/blobs/read/corrupt", test_corrupt_detected },
    { "/blobs/read/missing", test_missing },
    { "/blobs/read/bad-hash", test_bad_hash },
    { "/blobs/copy-out/named", test_copy_out },
    { "/blobs/copy-out/corrupt", test_copy_out_corrupt },
    { "/blobs/copy-out/prune", test_prune_copies },
  };

  procura_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    g_test_add_data_func (tests[i].path, (gconstpointer) tests[i].func, run_blob_test);

  return g_test_run ();
}
