/*
 * test_archive.c — unit tests of the backup file format (core/archive/archive.c)
 * and its metadata records (core/util/metadata.c), in memory, without a database.
 *
 * The reliability checks are exhaustive on a small archive: a flipped byte
 * at every offset and a truncation at every length must fail the read.  A
 * bounded pseudo-random mutation loop stands in for fuzzing in every run.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "../../core/archive/archive.h"
#include "../../core/util/base64.h"
#include "membuf.h"
#include "unit.h"

static const dbk_allocator *A = &dbk_libc_allocator;

/* Writes an archive of content into out; returns 0 on success. */
static int
make_archive_with(membuf *out, const void *content, size_t len, dbk_archive_summary *s, int workers)
{
	dbk_meta	h,
				extra;
	dbk_error	err;
	dbk_sink	sink = {mem_write, out};
	dbk_archive_writer *w;
	int			rc = -1;

	dbk_meta_init(&h, A);
	dbk_meta_init(&extra, A);
	dbk_meta_set(&h, "engine", "sqlite", &err);
	dbk_meta_set(&h, "label", "multi\nline \\ value\r", &err);
	dbk_meta_set(&extra, "rows.main.t", "42", &err);
	w = dbk_archive_writer_open(A, sink, &h, 3, workers, &err);
	if (w && dbk_archive_write(w, content, len / 2, &err) == 0 &&
		dbk_archive_write(w, (const char *) content + len / 2, len - len / 2, &err) == 0 &&
		dbk_archive_writer_finish(w, &extra, s, &err) == 0)
		rc = 0;
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
	dbk_meta_free(&extra);
	return rc;
}

static int
make_archive(membuf *out, const void *content, size_t len, dbk_archive_summary *s)
{
	return make_archive_with(out, content, len, s, 0);
}

/* When set, read_archive reads as a restore's second pass does. */
static bool trust_file_hash = false;

/* Reads the archive in m fully; 0 when it verifies, and then *got is the content. */
static int
read_archive(membuf *m, unsigned char *got, size_t cap, size_t *gotlen, dbk_error *err)
{
	dbk_source	src = {mem_read, m};
	dbk_archive_reader *r;
	size_t		n,
				total = 0;
	int			rc = -1;

	m->pos = 0;
	r = dbk_archive_reader_open(A, src, "backup \"test\"", err);
	if (r == NULL)
		return -1;
	if (trust_file_hash)
		dbk_archive_reader_trust_file_hash(r);
	for (;;)
	{
		if (dbk_archive_read(r, got + total, cap - total > 4096 ? 4096 : cap - total, &n, err) != 0)
			goto done;
		if (n == 0)
			break;
		total += n;
		if (total == cap)
		{
			/* More content than expected is itself a failure. */
			if (dbk_archive_read(r, got, 0, &n, err) != 0)
				goto done;
		}
	}
	*gotlen = total;
	rc = 0;
done:
	dbk_archive_reader_free(r);
	return rc;
}

static void
test_metadata(void)
{
	dbk_meta	m,
				back;
	dbk_error	err;
	char	   *enc;
	size_t		len;
	uint64_t	u;

	dbk_meta_init(&m, A);
	dbk_meta_init(&back, A);
	CHECK("meta/set", dbk_meta_set(&m, "a", "x\ny\\z\r", &err) == 0);
	CHECK("meta/replace", dbk_meta_set(&m, "a", "x\ny\\z\rw", &err) == 0 && m.n == 1);
	CHECK("meta/u64", dbk_meta_set_u64(&m, "n", 18446744073709551615ULL, &err) == 0);
	CHECK("meta/bad-key", dbk_meta_set(&m, "Bad Key", "v", &err) != 0);
	CHECK("meta/encode", dbk_meta_encode(&m, "first 1", &enc, &len, &err) == 0);
	CHECK("meta/no-raw-newline-in-value", memchr(enc + 8, '\r', len - 8) == NULL);
	CHECK("meta/decode", dbk_meta_decode(&back, enc, len, "first 1", &err) == 0);
	CHECK("meta/roundtrip", strcmp(dbk_meta_get(&back, "a"), "x\ny\\z\rw") == 0);
	CHECK("meta/u64-roundtrip", dbk_meta_get_u64(&back, "n", &u) && u == 18446744073709551615ULL);
	CHECK("meta/wrong-first-line", dbk_meta_decode(&back, enc, len, "other 1", &err) != 0 &&
		  err.kind == DBK_E_CORRUPT);
	free(enc);
	dbk_meta_free(&back);
	dbk_meta_init(&back, A);
	CHECK("meta/bad-escape", dbk_meta_decode(&back, "h\nk=\\q\n", 7, "h", &err) != 0);
	CHECK("meta/no-final-newline", dbk_meta_decode(&back, "h\nk=v", 5, "h", &err) != 0);
	dbk_meta_set(&m, "big", "18446744073709551616", &err);
	CHECK("meta/u64-overflow", !dbk_meta_get_u64(&m, "big", &u));
	dbk_meta_free(&m);
	dbk_meta_free(&back);
}

static void
test_roundtrip(void)
{
	size_t		len = 3000000,
				gotlen = 0;
	unsigned char *content = malloc(len),
			   *got = malloc(len + 1);
	membuf		m = {0};
	dbk_archive_summary s;
	dbk_error	err;
	char		hex[65];

	for (size_t i = 0; i < len; i++)
		content[i] = (unsigned char) ((i * 2654435761u) >> 13);
	CHECK("archive/write", make_archive(&m, content, len, &s) == 0);
	CHECK("archive/summary-bytes", s.content_bytes == len && s.file_bytes == m.len);
	dbk_sha256_hex(content, len, hex, &err);
	CHECK("archive/summary-sha", strcmp(hex, s.content_sha256) == 0);
	CHECK("archive/read", read_archive(&m, got, len + 1, &gotlen, &err) == 0);
	CHECK("archive/content-equal", gotlen == len && memcmp(got, content, len) == 0);
	free(m.data);
	memset(&m, 0, sizeof(m));
	/* With a compression worker, in jobs, the same content comes back. */
	CHECK("archive/write-workers", make_archive_with(&m, content, len, &s, 1) == 0);
	CHECK("archive/read-workers", read_archive(&m, got, len + 1, &gotlen, &err) == 0 &&
		  gotlen == len && memcmp(got, content, len) == 0);
	free(m.data);
	free(content);
	free(got);
}

static void
test_empty_content(void)
{
	membuf		m = {0};
	dbk_archive_summary s;
	dbk_error	err;
	unsigned char got[8];
	size_t		gotlen = 99;

	CHECK("archive/empty-write", make_archive(&m, "", 0, &s) == 0);
	CHECK("archive/empty-read", read_archive(&m, got, sizeof(got), &gotlen, &err) == 0 && gotlen == 0);
	free(m.data);
}

/* Every single-byte corruption and every truncation of a small archive is caught. */
static void
test_corruption(void)
{
	const char *text = "CREATE TABLE t(a int);\nCOPY t FROM stdin;\n1\n2\n\\.\n";
	membuf		m = {0};
	dbk_archive_summary s;
	dbk_error	err;
	unsigned char got[256];
	size_t		gotlen;
	size_t		undetected_flip = 0,
				undetected_cut = 0,
				wrong_kind = 0;

	make_archive(&m, text, strlen(text), &s);
	for (size_t off = 0; off < m.len; off++)
	{
		for (int bit = 0; bit < 8; bit += 3)
		{
			m.data[off] ^= (unsigned char) (1 << bit);
			if (read_archive(&m, got, sizeof(got), &gotlen, &err) == 0)
			{
				undetected_flip++;
				fprintf(stderr, "undetected flip at offset %zu of %zu (bit %d)\n", off, m.len, bit);
			}
			else if (err.kind != DBK_E_CORRUPT)
				wrong_kind++;
			m.data[off] ^= (unsigned char) (1 << bit);
		}
	}
	CHECK("archive/every-flip-detected", undetected_flip == 0);
	CHECK("archive/flips-reported-as-corrupt", wrong_kind == 0);
	/* The same without the content's SHA-256: the file's still catches every flip. */
	trust_file_hash = true;
	undetected_flip = 0;
	for (size_t off = 0; off < m.len; off++)
	{
		m.data[off] ^= 0x10;
		if (read_archive(&m, got, sizeof(got), &gotlen, &err) == 0)
			undetected_flip++;
		m.data[off] ^= 0x10;
	}
	CHECK("archive/trusting-file-hash-every-flip-detected", undetected_flip == 0);
	CHECK("archive/trusting-file-hash-reads", read_archive(&m, got, sizeof(got), &gotlen, &err) == 0 &&
		  gotlen == strlen(text) && memcmp(got, text, gotlen) == 0);
	trust_file_hash = false;
	{
		size_t		full = m.len;

		for (size_t cut = 0; cut < full; cut++)
		{
			m.len = cut;
			if (read_archive(&m, got, sizeof(got), &gotlen, &err) == 0)
				undetected_cut++;
		}
		m.len = full;
	}
	CHECK("archive/every-truncation-detected", undetected_cut == 0);
	CHECK("archive/intact-after-all-that", read_archive(&m, got, sizeof(got), &gotlen, &err) == 0 &&
		  gotlen == strlen(text));
	/* Appended garbage after the trailer. */
	mem_write(&m, "x", 1, &err);
	CHECK("archive/data-after-trailer", read_archive(&m, got, sizeof(got), &gotlen, &err) != 0 &&
		  strstr(err.message, "after its trailer") != NULL);
	free(m.data);
}

static void
test_not_a_backup(void)
{
	membuf		m = {0};
	dbk_error	err;
	unsigned char got[16];
	size_t		gotlen;
	/* A plain zstd frame magic. */
	unsigned char zstd_magic[] = {0x28, 0xB5, 0x2F, 0xFD, 0, 0, 0, 0, 0};

	mem_write(&m, "SQLite format 3\0 and more", 25, &err);
	CHECK("archive/not-a-backup", read_archive(&m, got, sizeof(got), &gotlen, &err) != 0 &&
		  strstr(err.message, "is not a dbkeeper backup") != NULL);
	m.len = 0;
	mem_write(&m, zstd_magic, sizeof(zstd_magic), &err);
	CHECK("archive/plain-zstd", read_archive(&m, got, sizeof(got), &gotlen, &err) != 0 &&
		  strstr(err.detail, "zstd file") != NULL);
	m.len = 0;
	CHECK("archive/empty-file", read_archive(&m, got, sizeof(got), &gotlen, &err) != 0 &&
		  strstr(err.message, "is not a dbkeeper backup") != NULL);
	free(m.data);
}

/* Random multi-byte mutations (deterministic seed): never a crash, never accepted. */
static void
test_mutations(void)
{
	const char *text = "some content that compresses some content that compresses\n";
	membuf		m = {0};
	dbk_archive_summary s;
	dbk_error	err;
	unsigned char got[512];
	size_t		gotlen;
	unsigned	seed = 12345;
	size_t		accepted = 0;
	int			rounds = 3000;

	make_archive(&m, text, strlen(text), &s);
	for (int i = 0; i < rounds; i++)
	{
		membuf		c = m;
		int			edits = 1 + (int) (rand_r(&seed) % 4);

		c.data = malloc(m.len);
		memcpy(c.data, m.data, m.len);
		for (int e = 0; e < edits; e++)
			c.data[rand_r(&seed) % c.len] = (unsigned char) rand_r(&seed);
		if (rand_r(&seed) % 4 == 0)
			c.len = rand_r(&seed) % c.len;
		if (read_archive(&c, got, sizeof(got), &gotlen, &err) == 0 &&
			(gotlen != strlen(text) || memcmp(got, text, gotlen) != 0))
			accepted++;
		free(c.data);
	}
	CHECK("archive/mutations-never-accepted-wrong", accepted == 0);
	free(m.data);
}

/* Writes an archive whose header holds schema (and a key after it); 0 on success. */
static int
make_schema_archive(membuf *out, const char *key, const char *schema)
{
	dbk_meta	h;
	dbk_error	err;
	dbk_sink	sink = {mem_write, out};
	dbk_archive_summary s;
	dbk_archive_writer *w;
	int			rc = -1;

	dbk_meta_init(&h, A);
	dbk_meta_set(&h, "engine", "postgresql", &err);
	dbk_meta_set(&h, key, schema, &err);
	dbk_meta_set(&h, "after", "1", &err);
	w = dbk_archive_writer_open(A, sink, &h, 3, 0, &err);
	if (w && dbk_archive_write(w, "SELECT 1;\n", 10, &err) == 0 &&
		dbk_archive_writer_finish(w, NULL, &s, &err) == 0)
		rc = 0;
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
	return rc;
}

/* The header the reader gives for m, as "key=value;" for each entry; NULL when it fails (err). */
static char *
read_header(membuf *m, dbk_error *err)
{
	dbk_source	src = {mem_read, m};
	dbk_archive_reader *r;
	char	   *out = NULL;
	size_t		len = 0;

	m->pos = 0;
	r = dbk_archive_reader_open(A, src, "backup \"t\"", err);
	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < dbk_archive_reader_header(r)->n; i++)
	{
		const dbk_meta_entry *e = &dbk_archive_reader_header(r)->items[i];
		size_t		n = strlen(e->key) + strlen(e->value) + 2;

		out = realloc(out, len + n + 1);
		snprintf(out + len, n + 1, "%s=%s;", e->key, e->value);
		len += n;
	}
	dbk_archive_reader_free(r);
	return out;
}

/* dbk_archive_peek's header of m, through a temporary file, in read_header's form. */
static char *
peek_header(membuf *m, dbk_error *err)
{
	char		path[] = "/tmp/dbk-test-archive-XXXXXX";
	int			fd = mkstemp(path);
	dbk_meta	h,
				t;
	uint64_t	bytes;
	char	   *out = NULL;
	size_t		len = 0;

	if (fd < 0 || write(fd, m->data, m->len) != (ssize_t) m->len)
		return NULL;
	unlink(path);
	dbk_meta_init(&h, A);
	dbk_meta_init(&t, A);
	if (dbk_archive_peek(A, fd, "backup \"t\"", &h, &t, &bytes, err) == 0)
		for (size_t i = 0; i < h.n; i++)
		{
			size_t		n = strlen(h.items[i].key) + strlen(h.items[i].value) + 2;

			out = realloc(out, len + n + 1);
			snprintf(out + len, n + 1, "%s=%s;", h.items[i].key, h.items[i].value);
			len += n;
		}
	close(fd);
	dbk_meta_free(&h);
	dbk_meta_free(&t);
	return out;
}

static bool
contains(const membuf *m, const char *s)
{
	return memmem(m->data, m->len, s, strlen(s)) != NULL;
}

/* m's header line made format 1's (the same length), as backups written before format 2 have it. */
static bool
make_format_1(membuf *m)
{
	unsigned char *at = memmem(m->data, m->len, "dbkeeper-header 3\n", 18);

	if (at == NULL)
		return false;
	at[16] = '1';
	return true;
}

/*
 * The schema description: a zstd frame in a skippable frame of its own after
 * the header (format 2), whatever its size; readers give it back as
 * "schema", last among the header's entries.  Format 1 kept it in the
 * header, plain or (from 4 kB on) as "schema_zstd" in base64, in its place:
 * readers still read both.
 */
static void
test_schema_header(void)
{
	size_t		big = 300000;
	char	   *schema = malloc(big + 1),
			   *want = malloc(big + 64),
			   *got;
	membuf		m = {0};
	dbk_error	err;
	unsigned char *at;

	for (size_t i = 0, row = 0; i < big; row++)
		i += (size_t) snprintf(schema + i, big + 1 - i, "table\tpublic.t%zu\tid integer NOT NULL, note text\n", row);
	schema[big] = '\0';
	snprintf(want, big + 64, "engine=postgresql;after=1;schema=%s;", schema);

	CHECK("archive/schema-big-write", make_schema_archive(&m, "schema", schema) == 0);
	CHECK("archive/schema-big-compressed", !contains(&m, "schema_zstd=") && !contains(&m, "\nschema=") &&
		  !contains(&m, "public.t1000\t"));
	/* the schema frame follows the header frame */
	at = m.data + 8 + m.data[4] + (m.data[5] << 8) + (m.data[6] << 16);
	CHECK("archive/schema-big-frame", at + 8 < m.data + m.len && at[0] == 0x5C && at[1] == 0x2A &&
		  at[2] == 0x4D && at[3] == 0x18);
	CHECK("archive/schema-big-header-small", m.data[4] + (m.data[5] << 8) + (m.data[6] << 16) < (int) big / 20);
	got = read_header(&m, &err);
	CHECK("archive/schema-big-read", got != NULL && strcmp(got, want) == 0);
	free(got);
	got = peek_header(&m, &err);
	CHECK("archive/schema-big-peek", got != NULL && strcmp(got, want) == 0);
	free(got);

	/* As format 1 wrote it before the compression: the same entry, plain, in its place (the key renamed back). */
	snprintf(want, big + 64, "engine=postgresql;schema=%s;after=1;", schema);
	free(m.data);
	memset(&m, 0, sizeof(m));
	CHECK("archive/schema-old-write", make_schema_archive(&m, "schemx", schema) == 0);
	at = memmem(m.data, m.len, "\nschemx=", 8);
	if (at != NULL)
		at[6] = 'a';
	CHECK("archive/schema-old-format-1", make_format_1(&m));
	got = peek_header(&m, &err);
	CHECK("archive/schema-old-peek", at != NULL && got != NULL && strcmp(got, want) == 0);
	free(got);
	got = read_header(&m, &err);
	CHECK("archive/schema-old-read", at != NULL && got != NULL && strcmp(got, want) == 0);
	free(got);

	/* As format 1 wrote it from 4 kB on: "schema_zstd", a zstd frame in base64, read back in its place. */
	{
		size_t		bound = ZSTD_compressBound(strlen(schema));
		unsigned char *z = malloc(bound);
		size_t		zlen = ZSTD_compress(z, bound, schema, strlen(schema), 3);
		char	   *b64 = malloc(DBK_BASE64_LEN(zlen) + 1);

		dbk_base64_encode(b64, z, zlen);
		free(m.data);
		memset(&m, 0, sizeof(m));
		CHECK("archive/schema-zstd-write", !ZSTD_isError(zlen) && make_schema_archive(&m, "schema_zstd", b64) == 0 &&
			  make_format_1(&m));
		got = peek_header(&m, &err);
		CHECK("archive/schema-zstd-peek", got != NULL && strcmp(got, want) == 0);
		free(got);
		got = read_header(&m, &err);
		CHECK("archive/schema-zstd-read", got != NULL && strcmp(got, want) == 0);
		free(got);
		free(z);
		free(b64);
	}

	schema[100] = '\0';
	snprintf(want, big + 64, "engine=postgresql;after=1;schema=%s;", schema);
	free(m.data);
	memset(&m, 0, sizeof(m));
	CHECK("archive/schema-small-write", make_schema_archive(&m, "schema", schema) == 0);
	CHECK("archive/schema-small-framed", !contains(&m, "\nschema=table\t") && !contains(&m, "schema_zstd"));
	got = read_header(&m, &err);
	CHECK("archive/schema-small-read", got != NULL && strcmp(got, want) == 0);
	free(got);

	free(m.data);
	memset(&m, 0, sizeof(m));
	CHECK("archive/schema-damaged-write", make_schema_archive(&m, "schema_zstd", "KLUv/QBYAAA=") == 0);
	got = read_header(&m, &err);
	CHECK("archive/schema-damaged-refused", got == NULL && err.kind == DBK_E_CORRUPT &&
		  strstr(err.message, "compressed schema cannot be read") != NULL);
	free(got);
	free(m.data);
	free(schema);
	free(want);
}

/* The number of zstd frames between m's header (and schema) frames and its trailer. */
static int
count_frames(const membuf *m)
{
	size_t		off = 0;
	int			n = 0;

	while (off + 8 <= m->len)
	{
		unsigned	magic = m->data[off] | m->data[off + 1] << 8 | m->data[off + 2] << 16 |
			(unsigned) m->data[off + 3] << 24;
		size_t		len;

		if ((magic & 0xFFFFFFF0U) == 0x184D2A50U)
			len = 8 + (m->data[off + 4] | m->data[off + 5] << 8 | m->data[off + 6] << 16 |
					   (size_t) m->data[off + 7] << 24);
		else
		{
			len = ZSTD_findFrameCompressedSize(m->data + off, m->len - off);
			if (ZSTD_isError(len))
				return -1;
			n++;
		}
		off += len;
	}
	return off == m->len ? n : -1;
}

/* What `zstd -dc` gives for m: every frame decompressed, skippable ones skipped. */
static size_t
zstd_dc(const membuf *m, unsigned char *out, size_t cap)
{
	ZSTD_DCtx  *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = {m->data, m->len, 0};
	ZSTD_outBuffer o = {out, cap, 0};
	size_t		rc = 0;

	while (in.pos < in.size && !ZSTD_isError(rc))
		rc = ZSTD_decompressStream(d, &o, &in);
	ZSTD_freeDCtx(d);
	return ZSTD_isError(rc) ? (size_t) -1 : o.pos;
}

/*
 * Text written with dbk_archive_write_frame goes into zstd frames of its own
 * between the streamed parts, in order; the streaming frame is ended before
 * and begun again after, on the same worker threads, and none is left empty.
 */
static void
test_frames(void)
{
	const char *pre = "CREATE TABLE t1 (a int);\nCREATE TABLE t2 (a int);\n",
			   *data = "COPY t1 (a) FROM stdin;\n1\n2\n\\.\n",
			   *post = "CREATE INDEX t1_a ON t1 (a);\n";
	char		want[512];
	unsigned char got[512];

	snprintf(want, sizeof(want), "%s%s%s%s", pre, data, data, post);
	for (int workers = 0; workers <= 1; workers++)
	{
		membuf		m = {0};
		dbk_meta	h;
		dbk_error	err;
		dbk_sink	sink = {mem_write, &m};
		dbk_archive_summary s;
		dbk_archive_writer *w;
		size_t		gotlen = 0;
		char		hex[65];
		int			ok;

		dbk_meta_init(&h, A);
		dbk_meta_set(&h, "engine", "postgresql", &err);
		w = dbk_archive_writer_open(A, sink, &h, 3, workers, &err);
		ok = w != NULL && dbk_archive_write_frame(w, pre, strlen(pre), 19, &err) == 0 &&
			dbk_archive_write(w, data, strlen(data), &err) == 0 &&
			dbk_archive_write(w, data, strlen(data), &err) == 0 &&
			dbk_archive_write_frame(w, post, strlen(post), DBK_ARCHIVE_TEXT_LEVEL, &err) == 0 &&
			dbk_archive_write_frame(w, "", 0, 19, &err) == 0 &&
			dbk_archive_writer_finish(w, NULL, &s, &err) == 0;
		dbk_archive_writer_free(w);
		dbk_meta_free(&h);
		CHECK(workers ? "archive/frames-write-workers" : "archive/frames-write", ok);
		dbk_sha256_hex(want, strlen(want), hex, &err);
		CHECK(workers ? "archive/frames-summary-workers" : "archive/frames-summary",
			  s.content_bytes == strlen(want) && strcmp(hex, s.content_sha256) == 0);
		CHECK(workers ? "archive/frames-three-workers" : "archive/frames-three", count_frames(&m) == 3);
		CHECK(workers ? "archive/frames-read-workers" : "archive/frames-read",
			  read_archive(&m, got, sizeof(got), &gotlen, &err) == 0 && gotlen == strlen(want) &&
			  memcmp(got, want, gotlen) == 0);
		gotlen = zstd_dc(&m, got, sizeof(got));
		CHECK(workers ? "archive/frames-zstd-dc-workers" : "archive/frames-zstd-dc",
			  gotlen == strlen(want) && memcmp(got, want, gotlen) == 0);
		free(m.data);
	}
	{
		membuf		m = {0};
		dbk_meta	h;
		dbk_error	err;
		dbk_sink	sink = {mem_write, &m};
		dbk_archive_summary s;
		dbk_archive_writer *w;
		int			ok;

		dbk_meta_init(&h, A);
		dbk_meta_set(&h, "engine", "postgresql", &err);
		w = dbk_archive_writer_open(A, sink, &h, 3, 1, &err);
		ok = w != NULL && dbk_archive_write_frame(w, pre, strlen(pre), 30, &err) != 0 &&
			err.kind == DBK_E_INVALID && dbk_archive_write_frame(w, pre, strlen(pre), 19, &err) == 0 &&
			dbk_archive_writer_finish(w, NULL, &s, &err) == 0;
		dbk_archive_writer_free(w);
		dbk_meta_free(&h);
		CHECK("archive/frames-bad-level-refused", ok);
		CHECK("archive/frames-only-one", count_frames(&m) == 1);
		free(m.data);
	}
}

/* Writes an archive whose trailer holds "rows", then key=value; 0 on success. */
static int
make_trailer_archive(membuf *out, const char *key, const char *value, dbk_error *err)
{
	dbk_meta	h,
				extra;
	dbk_sink	sink = {mem_write, out};
	dbk_archive_summary s;
	dbk_archive_writer *w;
	int			rc = -1;

	dbk_meta_init(&h, A);
	dbk_meta_init(&extra, A);
	dbk_meta_set(&h, "engine", "postgresql", err);
	dbk_meta_set(&extra, "rows", "6000", err);
	dbk_meta_set(&extra, key, value, err);
	dbk_meta_set(&extra, "after", "1", err);
	w = dbk_archive_writer_open(A, sink, &h, 3, 0, err);
	if (w && dbk_archive_write(w, "SELECT 1;\n", 10, err) == 0 &&
		dbk_archive_writer_finish(w, &extra, &s, err) == 0)
		rc = 0;
	dbk_archive_writer_free(w);
	dbk_meta_free(&h);
	dbk_meta_free(&extra);
	return rc;
}

/* The trailer as the reader and as dbk_archive_peek give it, "key=value;" each; NULL on failure. */
static char *
trailer_text(membuf *m, bool peek, dbk_error *err)
{
	dbk_meta	h,
				t;
	char	   *out = NULL;
	size_t		len = 0;
	int			ok;

	dbk_meta_init(&h, A);
	dbk_meta_init(&t, A);
	if (peek)
	{
		char		path[] = "/tmp/dbk-test-archive-XXXXXX";
		int			fd = mkstemp(path);
		uint64_t	bytes;

		ok = fd >= 0 && write(fd, m->data, m->len) == (ssize_t) m->len &&
			dbk_archive_peek(A, fd, "backup \"t\"", &h, &t, &bytes, err) == 0;
		if (fd >= 0)
		{
			unlink(path);
			close(fd);
		}
	}
	else
	{
		dbk_source	src = {mem_read, m};
		dbk_archive_reader *r;
		unsigned char buf[64];
		size_t		n = 1;

		m->pos = 0;
		r = dbk_archive_reader_open(A, src, "backup \"t\"", err);
		ok = r != NULL;
		while (ok && n > 0)
			ok = dbk_archive_read(r, buf, sizeof(buf), &n, err) == 0;
		ok = ok && dbk_meta_merge(&t, dbk_archive_reader_trailer(r), err) == 0;
		dbk_archive_reader_free(r);
	}
	for (size_t i = 0; ok && i < t.n; i++)
	{
		const char *k = t.items[i].key;
		size_t		need;

		if (strcmp(k, "rows") != 0 && strcmp(k, "table_rows") != 0 && strcmp(k, "after") != 0 &&
			strcmp(k, "table_rows_zstd") != 0)
			continue;
		need = strlen(k) + strlen(t.items[i].value) + 2;
		out = realloc(out, len + need + 1);
		snprintf(out + len, need + 1, "%s=%s;", k, t.items[i].value);
		len += need;
	}
	dbk_meta_free(&h);
	dbk_meta_free(&t);
	return out;
}

/*
 * A long trailer entry (a PostgreSQL backup's table_rows of hundreds of
 * tables) is written packed, "<key>_zstd" in base64, and read back as
 * "<key>" in its place; short ones stay plain.
 */
static void
test_trailer_packing(void)
{
	size_t		cap = 20000,
				n = 0;
	char	   *list = malloc(cap),
			   *want = malloc(cap + 64),
			   *got;
	membuf		m = {0};
	dbk_error	err;

	for (int i = 1; i <= 300; i++)
		n += (size_t) snprintf(list + n, cap - n, "%s20 clin.t%d", i > 1 ? "\n" : "", i);
	snprintf(want, cap + 64, "rows=6000;table_rows=%s;after=1;", list);
	CHECK("archive/trailer-pack-write", make_trailer_archive(&m, "table_rows", list, &err) == 0);
	CHECK("archive/trailer-packed", contains(&m, "\ntable_rows_zstd=") && !contains(&m, "\ntable_rows=") &&
		  !contains(&m, "clin.t100") && m.len < n / 2);
	got = trailer_text(&m, false, &err);
	CHECK("archive/trailer-pack-read", got != NULL && strcmp(got, want) == 0);
	free(got);
	got = trailer_text(&m, true, &err);
	CHECK("archive/trailer-pack-peek", got != NULL && strcmp(got, want) == 0);
	free(got);
	free(m.data);

	/* four tables: plain, as before */
	memset(&m, 0, sizeof(m));
	list[strlen("20 clin.t1\n20 clin.t2\n20 clin.t3\n20 clin.t4")] = '\0';
	snprintf(want, cap + 64, "rows=6000;table_rows=%s;after=1;", list);
	CHECK("archive/trailer-short-write", make_trailer_archive(&m, "table_rows", list, &err) == 0);
	CHECK("archive/trailer-short-plain", contains(&m, "\ntable_rows=20 clin.t1\\n20 clin.t2\\n"));
	got = trailer_text(&m, false, &err);
	CHECK("archive/trailer-short-read", got != NULL && strcmp(got, want) == 0);
	free(got);
	free(m.data);

	/* a key that would read back as another is refused */
	memset(&m, 0, sizeof(m));
	CHECK("archive/trailer-packed-key-refused",
		  make_trailer_archive(&m, "table_rows_zstd", "x", &err) != 0 && err.kind == DBK_E_INVALID);
	free(m.data);
	free(list);
	free(want);
}

/* m with its schema frame's payload replaced by a zstd frame of split (len bytes); false when m has none. */
static bool
replace_schema_frame(membuf *m, const char *split, size_t len)
{
	size_t		hlen = 8 + (m->data[4] | m->data[5] << 8 | m->data[6] << 16),
				old,
				bound = ZSTD_compressBound(len),
				zlen;
	unsigned char *z = malloc(bound),
			   *out;

	if (m->data[hlen] != 0x5C)
		return false;
	old = 8 + (m->data[hlen + 4] | m->data[hlen + 5] << 8 | m->data[hlen + 6] << 16);
	zlen = ZSTD_compress(z, bound, split, len, 3);
	out = malloc(m->len - old + 8 + zlen);
	memcpy(out, m->data, hlen);
	memcpy(out + hlen, m->data + hlen, 4);
	out[hlen + 4] = (unsigned char) zlen;
	out[hlen + 5] = (unsigned char) (zlen >> 8);
	out[hlen + 6] = (unsigned char) (zlen >> 16);
	out[hlen + 7] = 0;
	memcpy(out + hlen + 8, z, zlen);
	memcpy(out + hlen + 8 + zlen, m->data + hlen + old, m->len - hlen - old);
	m->len = m->len - old + 8 + zlen;
	free(m->data);
	m->data = out;
	free(z);
	return true;
}

/*
 * Format 3 writes the schema description with its numbers apart; readers
 * give back the same text whatever it holds (control bytes the split uses,
 * long runs of digits, more numbers on a line than it refers back to), and
 * refuse a split that does not join.  A format-2 file (the fuzz corpus's,
 * written by dbkeeper before format 3) still reads.
 */
static void
test_schema_split(void)
{
	static const char *const texts[] = {
		"dbkeeper-schema 3\ntable\tclin.t17\tid integer default nextval('clin.t17_id_seq'), n numeric(10,2)\n"
		"trigger\tclin.t17.trg17\tCREATE TRIGGER trg17 ON clin.t17 EXECUTE FUNCTION audit.trg17()\n",
		"0\n1 2 3 4 5 6 7 8 9 10 11 12 1 2 3 11 12 12 0 007 7 00\n\x01\x02 1\x01\x02\x01 22 \x02\n99999999999999999999999999999999 99999999999999999999999999999999",
		"",
		"no digits at all\n",
		"\n\n5\n\n5",
	};
	static const char *const bad[][2] = {
		{"a\x01", ""},			/* a number with no line */
		{"a\x01", "=0\n"},		/* a reference to nothing */
		{"a\x01", "1x\n"},		/* not digits */
		{"a", "1\n"},			/* a line left over */
		{"a\x02", ""},			/* an escape at the end */
		{"a\x02z", ""},			/* an escape of nothing the split escapes */
		{"1\x01\n\x01", "5\n=0\n"},	/* a reference across lines */
	};
	char		want[512];
	char	   *got = NULL;
	dbk_error	err;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
	{
		membuf		m = {0};
		char		id[64];

		snprintf(want, sizeof(want), "engine=postgresql;after=1;schema=%s;", texts[i]);
		snprintf(id, sizeof(id), "archive/schema-split-%zu-read", i);
		CHECK(id, make_schema_archive(&m, "schema", texts[i]) == 0 &&
			  (got = read_header(&m, &err)) != NULL && strcmp(got, want) == 0);
		free(got);
		snprintf(id, sizeof(id), "archive/schema-split-%zu-peek", i);
		CHECK(id, (got = peek_header(&m, &err)) != NULL && strcmp(got, want) == 0);
		free(got);
		free(m.data);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		membuf		m = {0};
		char		split[64],
					id[64];
		size_t		n = strlen(bad[i][0]) + 1 + strlen(bad[i][1]);

		snprintf(split, sizeof(split), "%s%c%s", bad[i][0], '\0', bad[i][1]);
		memcpy(split + strlen(bad[i][0]) + 1, bad[i][1], strlen(bad[i][1]));
		snprintf(id, sizeof(id), "archive/schema-split-bad-%zu", i);
		got = NULL;
		CHECK(id, make_schema_archive(&m, "schema", "x") == 0 && replace_schema_frame(&m, split, n) &&
			  (got = peek_header(&m, &err)) == NULL && err.kind == DBK_E_CORRUPT &&
			  strstr(err.message, "compressed schema cannot be read") != NULL);
		free(got);
		free(m.data);
	}
	{
		FILE	   *f = fopen("tests/fuzz/corpus/archive/postgresql-backup-format-2", "rb");
		membuf		m = {0};
		unsigned char buf[4096],
					got2[65536];
		size_t		n,
					gotlen = 0;

		while (f != NULL && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			mem_write(&m, buf, n, &err);
		if (f != NULL)
			fclose(f);
		CHECK("archive/format-2-read", m.len > 0 && read_archive(&m, got2, sizeof(got2), &gotlen, &err) == 0 &&
			  gotlen > 0);
		got = read_header(&m, &err);
		CHECK("archive/format-2-schema", got != NULL && strstr(got, ";schema=dbkeeper-schema ") != NULL);
		free(got);
		got = peek_header(&m, &err);
		CHECK("archive/format-2-peek", got != NULL && strstr(got, ";schema=dbkeeper-schema ") != NULL);
		free(got);
		free(m.data);
	}
}

int
main(void)
{
	test_metadata();
	test_roundtrip();
	test_empty_content();
	test_corruption();
	test_not_a_backup();
	test_mutations();
	test_schema_header();
	test_frames();
	test_trailer_packing();
	test_schema_split();
	return unit_exit();
}
