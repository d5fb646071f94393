/*
 * archive.c — writer and reader of the backup format described in archive.h.
 *
 * Writer: every byte handed to the sink is also hashed (file_sha), so the
 * trailer can vouch for the header and the compressed frames; the plain
 * content is hashed separately (content_sha), which is what users can check
 * with `zstd -dc file | sha256sum`.
 *
 * Reader: a small buffer over the source; bytes are hashed as they are
 * consumed, the zstd decoder checks each frame's checksum, and the trailer
 * is compared with what was actually read.  Nothing is trusted before the
 * final read returns *got == 0.
 */
#include "archive.h"
#include "../util/base64.h"
#include "../util/sha256_thread.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_customMem, *_advanced() */
#include <zstd.h>

#define ZSTD_FRAME_MAGIC 0xFD2FB528U
#define END_LINE_LEN 15			/* "end=" + 10 digits + "\n" */
#define SHA_LINE_PREFIX "trailer_sha256="
#define READ_BUF_SIZE (128 * 1024)
#define DBK_ARCHIVE_JOB_SIZE (4 * 1024 * 1024)

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char) v;
	p[1] = (unsigned char) (v >> 8);
	p[2] = (unsigned char) (v >> 16);
	p[3] = (unsigned char) (v >> 24);
}

static uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void *
zstd_alloc(void *opaque, size_t size)
{
	const dbk_allocator *a = opaque;

	return dbk_alloc(a, size);
}

static void
zstd_free(void *opaque, void *ptr)
{
	const dbk_allocator *a = opaque;

	dbk_free(a, ptr);
}

static ZSTD_customMem
zstd_mem(const dbk_allocator *a)
{
	ZSTD_customMem m = {zstd_alloc, zstd_free, (void *) a};

	return m;
}

/* ---------------------------------------------------------------- writer */

struct dbk_archive_writer
{
	const dbk_allocator *a;
	dbk_sink	sink;
	ZSTD_CCtx  *cctx;			/* from the zstd allocator */
	dbk_sha256	file_sha;
	dbk_sha256	content_sha;
	dbk_sha256_thread *content_thread;	/* with workers: content_sha on a thread */
	uint64_t	file_bytes;
	uint64_t	content_bytes;
	uint64_t	frame_bytes;	/* content in cctx's frame, not ended yet */
	ZSTD_CCtx  *frame_cctx;		/* dbk_archive_write_frame's, from a */
	unsigned char *out;
	size_t		outcap;
};

static int
writer_emit(dbk_archive_writer *w, const void *buf, size_t len, bool hashed, dbk_error *err)
{
	if (len == 0)
		return 0;
	if (w->sink.write(w->sink.ctx, buf, len, err) != 0)
		return -1;
	if (hashed)
		dbk_sha256_update(&w->file_sha, buf, len);
	w->file_bytes += len;
	return 0;
}

static int
writer_emit_skippable(dbk_archive_writer *w, uint32_t magic, const char *payload, size_t len,
					  bool hashed, dbk_error *err)
{
	unsigned char hdr[8];

	if (len > DBK_ARCHIVE_MAX_RECORD)
		return dbk_fail(err, DBK_E_INVALID, "backup metadata is too large (%zu bytes)", len);
	put_le32(hdr, magic);
	put_le32(hdr + 4, (uint32_t) len);
	if (writer_emit(w, hdr, sizeof(hdr), hashed, err) != 0)
		return -1;
	return writer_emit(w, payload, len, hashed, err);
}

static int
zstd_check(size_t rc, const char *doing, dbk_error *err)
{
	if (ZSTD_isError(rc))
	{
		dbk_fail(err, DBK_E_INTERNAL, "zstd failed %s", doing);
		dbk_error_detail(err, "zstd reported: %s.", ZSTD_getErrorName(rc));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------ the schema, compressed */

/*
 * The header's "schema" entry, the canonical schema description (half a
 * megabyte of text on a database of a few hundred tables and functions),
 * is written in a frame of its own right after the header frame (format 2):
 * a skippable frame of magic DBK_ARCHIVE_SCHEMA_MAGIC whose payload is one
 * zstd frame of the text, with its size and checksum.  Readers give it back
 * as "schema", so callers see the same header whichever way it was written.
 *
 * Format 1 wrote it inside the header: plain, or from 4 kB on as
 * "schema_zstd", the same zstd frame in base64 (a third larger, since a
 * value may not hold NUL); readers still read both.  A format-1 reader
 * would take the schema frame for damage, which is why the format version
 * is 2: such a reader refuses the file as of an unsupported version.
 *
 * The trailer packs its long entries the same way (see pack_trailer):
 * "<key>_zstd", a zstd frame of the value in base64, read back as "<key>".
 */
#define SCHEMA_KEY "schema"
#define PACKED_SUFFIX "_zstd"

#define TEXT_TABLE_LOG 18

/* len bytes of text as one zstd frame at level, into a new buffer from a. */
static int
text_compress(const dbk_allocator *a, const char *text, size_t len, int level,
			  unsigned char **out, size_t *outlen, dbk_error *err)
{
	size_t		bound = ZSTD_compressBound(len),
				zlen;
	unsigned char *z = dbk_alloc(a, bound);
	ZSTD_CCtx  *cctx = ZSTD_createCCtx_advanced(zstd_mem(a));
	int			rc = -1;

	*out = NULL;
	if (z == NULL || cctx == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory compressing the backup's metadata");
		goto done;
	}
	zlen = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(zlen))
		zlen = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	/*
	 * Tables of 2^TEXT_TABLE_LOG entries at most: for the 570 kB of a
	 * schema-heavy description, level 16 would size them to 18 MB, whose
	 * first touch cost the backend 40 ms; 2 MB made it 35 bytes larger.
	 */
	if (!ZSTD_isError(zlen))
		zlen = ZSTD_CCtx_setParameter(cctx, ZSTD_c_hashLog, TEXT_TABLE_LOG);
	if (!ZSTD_isError(zlen))
		zlen = ZSTD_CCtx_setParameter(cctx, ZSTD_c_chainLog, TEXT_TABLE_LOG);
	if (!ZSTD_isError(zlen))
		zlen = ZSTD_compress2(cctx, z, bound, text, len);
	if (zstd_check(zlen, "compressing the backup's metadata", err) != 0)
		goto done;
	*out = z;
	*outlen = zlen;
	z = NULL;
	rc = 0;
done:
	ZSTD_freeCCtx(cctx);
	dbk_free(a, z);
	return rc;
}

/*
 * The bytes of zstd frame z (zlen bytes), which must be a whole frame that
 * says its size, into a new NUL-terminated buffer from a, *size long; NULL
 * when it is not such a frame (*nomem tells out of memory apart).
 */
static char *
frame_decompress(const dbk_allocator *a, const unsigned char *z, size_t zlen, size_t *size,
				 bool *nomem)
{
	unsigned long long want = ZSTD_getFrameContentSize(z, zlen);
	ZSTD_DCtx  *dctx = NULL;
	char	   *out = NULL;
	size_t		got;

	*nomem = false;
	if (want == ZSTD_CONTENTSIZE_ERROR || want == ZSTD_CONTENTSIZE_UNKNOWN || want > DBK_ARCHIVE_MAX_RECORD ||
		ZSTD_findFrameCompressedSize(z, zlen) != zlen)
		return NULL;
	if ((out = dbk_alloc(a, (size_t) want + 1)) == NULL ||
		(dctx = ZSTD_createDCtx_advanced(zstd_mem(a))) == NULL)
	{
		*nomem = true;
		goto fail;
	}
	got = ZSTD_decompressDCtx(dctx, out, (size_t) want, z, zlen);
	if (ZSTD_isError(got) || got != want)
		goto fail;
	out[got] = '\0';
	*size = got;
	ZSTD_freeDCtx(dctx);
	return out;
fail:
	ZSTD_freeDCtx(dctx);
	dbk_free(a, out);
	return NULL;
}

/* The text of zstd frame z, as frame_decompress, but NULL when it holds a NUL. */
static char *
text_decompress(const dbk_allocator *a, const unsigned char *z, size_t zlen, bool *nomem)
{
	size_t		n;
	char	   *text = frame_decompress(a, z, zlen, &n, nomem);

	if (text != NULL && memchr(text, '\0', n) != NULL)
	{
		dbk_free(a, text);
		return NULL;
	}
	return text;
}

/* ------------------------------------------- the schema's numbers apart */

/*
 * Format 3 writes the schema description with its numbers apart.  zstd
 * reduces hundreds of near-identical rows to what differs between them,
 * mostly numbers (t17, t17_pkey, trg17, t17_id_seq, ...), but each of those
 * still costs a match and a literal: 13.6 kB for the 550 kB description of
 * the schema-heavy benchmark database (300 tables, 500 functions, 450
 * triggers, 100 views) at level 3, 11.9 kB at 16.  Split in two, the text
 * with each run of digits replaced by SPLIT_NUMBER, then the runs one a
 * line, the first part is a few templates repeated, and the second says
 * each row's numbers once: 5.0 kB at level 16 in 10 ms, where the text as it
 * is took 40 ms more.
 *
 *     <text, each run of digits as \x01, a \x01 or \x02 of the text as \x02 and itself>
 *     \0
 *     <per run, one line: its digits, or "=k" when it is the k-th (0-9) of the
 *      distinct runs of the same line of text already given>
 *
 * The description holds no NUL (it is a C string), so the first NUL ends
 * the first part.  The writer checks that the split joins back to the
 * text; the reader refuses any input that is not such a split.
 */
#define SPLIT_NUMBER '\x01'
#define SPLIT_ESCAPE '\x02'
#define SPLIT_REFS 10

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* text (len bytes, no NUL) split as above into a new buffer from a. */
static int
schema_split(const dbk_allocator *a, const char *text, size_t len, char **out, size_t *outlen,
			 dbk_error *err)
{
	size_t		tcap = 2 * len + 1,
				ncap = 3 * len + 1,
				t = 0,
				n = 0;
	char	   *tmpl = dbk_alloc(a, tcap),
			   *nums = dbk_alloc(a, ncap);
	const char *ref[SPLIT_REFS];
	size_t		reflen[SPLIT_REFS];
	int			nref = 0;

	*out = NULL;
	if (tmpl == NULL || nums == NULL)
	{
		dbk_free(a, tmpl);
		dbk_free(a, nums);
		return dbk_fail(err, DBK_E_NOMEM, "out of memory compressing the schema");
	}
	for (size_t i = 0; i < len;)
	{
		char		c = text[i];

		if (is_digit(c))
		{
			size_t		j = i,
						rl;
			int			k = 0;

			while (j < len && is_digit(text[j]))
				j++;
			rl = j - i;
			while (k < nref && !(reflen[k] == rl && memcmp(ref[k], text + i, rl) == 0))
				k++;
			tmpl[t++] = SPLIT_NUMBER;
			if (k < nref)
			{
				nums[n++] = '=';
				nums[n++] = (char) ('0' + k);
			}
			else
			{
				memcpy(nums + n, text + i, rl);
				n += rl;
				if (nref < SPLIT_REFS)
				{
					ref[nref] = text + i;
					reflen[nref++] = rl;
				}
			}
			nums[n++] = '\n';
			i = j;
			continue;
		}
		if (c == SPLIT_NUMBER || c == SPLIT_ESCAPE)
			tmpl[t++] = SPLIT_ESCAPE;
		else if (c == '\n')
			nref = 0;
		tmpl[t++] = c;
		i++;
	}
	tmpl[t++] = '\0';
	/* the two parts, one after the other */
	{
		char	   *both = dbk_alloc(a, t + n + 1);

		if (both == NULL)
		{
			dbk_free(a, tmpl);
			dbk_free(a, nums);
			return dbk_fail(err, DBK_E_NOMEM, "out of memory compressing the schema");
		}
		memcpy(both, tmpl, t);
		memcpy(both + t, nums, n);
		both[t + n] = '\0';
		*out = both;
		*outlen = t + n;
	}
	dbk_free(a, tmpl);
	dbk_free(a, nums);
	return 0;
}

/*
 * One pass of schema_join: the length of the joined text, writing it into
 * out unless out is NULL; -1 when p is not a split.
 */
static long long
join_pass(const char *tmpl, size_t tlen, const char *nums, size_t nlen, char *out)
{
	const char *ref[SPLIT_REFS];
	size_t		reflen[SPLIT_REFS];
	int			nref = 0;
	size_t		ti = 0,
				ni = 0;
	unsigned long long o = 0;

	while (ti < tlen)
	{
		char		c = tmpl[ti++];

		if (c == SPLIT_NUMBER)
		{
			const char *run = nums + ni,
					   *eol = memchr(run, '\n', nlen - ni);
			size_t		rl;

			if (eol == NULL || eol == run)
				return -1;
			rl = (size_t) (eol - run);
			if (run[0] == '=')
			{
				int			k = rl == 2 && is_digit(run[1]) ? run[1] - '0' : SPLIT_REFS;

				if (k >= nref)
					return -1;
				run = ref[k];
				rl = reflen[k];
			}
			else
			{
				for (size_t i = 0; i < rl; i++)
					if (!is_digit(run[i]))
						return -1;
				if (nref < SPLIT_REFS)
				{
					ref[nref] = run;
					reflen[nref++] = rl;
				}
			}
			if (o + rl > DBK_ARCHIVE_MAX_RECORD)
				return -1;
			if (out != NULL)
				memcpy(out + o, run, rl);
			o += rl;
			ni = (size_t) (eol - nums) + 1;
			continue;
		}
		if (c == SPLIT_ESCAPE)
		{
			if (ti == tlen || (tmpl[ti] != SPLIT_NUMBER && tmpl[ti] != SPLIT_ESCAPE))
				return -1;
			c = tmpl[ti++];
		}
		else if (c == '\n')
			nref = 0;
		if (o + 1 > DBK_ARCHIVE_MAX_RECORD)
			return -1;
		if (out != NULL)
			out[o] = c;
		o++;
	}
	return ni == nlen ? (long long) o : -1;
}

/* The text of split p (len bytes) into a new NUL-terminated buffer from a; NULL when p is no split. */
static char *
schema_join(const dbk_allocator *a, const char *p, size_t len, bool *nomem)
{
	const char *nul = memchr(p, '\0', len);
	size_t		tlen;
	long long	n;
	char	   *text;

	*nomem = false;
	if (nul == NULL)
		return NULL;
	tlen = (size_t) (nul - p);
	if ((n = join_pass(p, tlen, nul + 1, len - tlen - 1, NULL)) < 0)
		return NULL;
	if ((text = dbk_alloc(a, (size_t) n + 1)) == NULL)
	{
		*nomem = true;
		return NULL;
	}
	(void) join_pass(p, tlen, nul + 1, len - tlen - 1, text);
	text[n] = '\0';
	if (memchr(text, '\0', (size_t) n) != NULL)
	{
		dbk_free(a, text);
		return NULL;
	}
	return text;
}

/*
 * The schema frame's payload for text (format 3): the split, compressed,
 * into a new buffer from a, once the split is known to join back to text.
 */
static int
schema_compress(const dbk_allocator *a, const char *text, unsigned char **out, size_t *outlen,
				dbk_error *err)
{
	size_t		len = strlen(text),
				slen = 0;
	char	   *split = NULL,
			   *back = NULL;
	bool		nomem;
	int			rc = -1;

	if (schema_split(a, text, len, &split, &slen, err) != 0)
		return -1;
	back = schema_join(a, split, slen, &nomem);
	if (back == NULL || strcmp(back, text) != 0)
	{
		if (nomem)
			dbk_fail(err, DBK_E_NOMEM, "out of memory compressing the schema");
		else
			dbk_fail(err, DBK_E_INTERNAL, "the schema description does not read back as written");
		goto done;
	}
	rc = text_compress(a, split, slen, DBK_ARCHIVE_TEXT_LEVEL, out, outlen, err);
done:
	dbk_free(a, split);
	dbk_free(a, back);
	return rc;
}

/*
 * The header as written: h itself, or a copy in *copy without "schema",
 * whose text then goes into *schema (NULL when h has none).
 */
static int
header_for_writing(const dbk_meta *h, dbk_meta *copy, const dbk_meta **use, const char **schema,
				   dbk_error *err)
{
	*use = h;
	*schema = dbk_meta_get(h, SCHEMA_KEY);
	if (*schema == NULL)
		return 0;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->items[i].key, SCHEMA_KEY) != 0 &&
			dbk_meta_set(copy, h->items[i].key, h->items[i].value, err) != 0)
			return -1;
	*use = copy;
	return 0;
}

/*
 * Adds the schema text of zstd frame z to header m, as format (2: the text
 * itself, 3: split) writes it; corrupt when unreadable.
 */
static int
schema_add(dbk_meta *m, const unsigned char *z, size_t zlen, int format, const char *what,
		   dbk_error *err)
{
	bool		nomem;
	char	   *text,
			   *split;
	size_t		slen;
	int			rc;

	if (dbk_meta_get(m, SCHEMA_KEY) != NULL)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: it records its schema twice", what);
	if (format < 3)
		text = text_decompress(m->a, z, zlen, &nomem);
	else
	{
		text = NULL;
		split = frame_decompress(m->a, z, zlen, &slen, &nomem);
		if (split != NULL)
			text = schema_join(m->a, split, slen, &nomem);
		dbk_free(m->a, split);
	}
	if (text == NULL)
		return nomem ? dbk_fail(err, DBK_E_NOMEM, "out of memory reading the schema of %s", what)
			: dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its compressed schema cannot be read", what);
	rc = dbk_meta_set(m, SCHEMA_KEY, text, err);
	dbk_free(m->a, text);
	return rc;
}

/* Whether key names a packed entry: it ends in PACKED_SUFFIX. */
static bool
is_packed_key(const char *key)
{
	size_t		n = strlen(key),
				s = strlen(PACKED_SUFFIX);

	return n > s && strcmp(key + n - s, PACKED_SUFFIX) == 0;
}

/* The text of a packed entry's value (a zstd frame in base64), or NULL. */
static char *
unpack_value(const dbk_allocator *a, const char *b64, bool *nomem)
{
	size_t		n = strlen(b64);
	unsigned char *z;
	long		zlen;
	char	   *text = NULL;

	*nomem = false;
	if (n == 0 || n % 4 != 0)
		return NULL;
	if ((z = dbk_alloc(a, n / 4 * 3)) == NULL)
	{
		*nomem = true;
		return NULL;
	}
	zlen = dbk_base64_decode(z, b64, n);
	if (zlen >= 0)
		text = text_decompress(a, z, (size_t) zlen, nomem);
	dbk_free(a, z);
	return text;
}

/*
 * Every packed entry of m ("<key>_zstd": format 1's "schema_zstd" in the
 * header, long entries of the trailer) read back as "<key>", in its place;
 * a no-op without any.  part ("header", "trailer") names m in errors.
 */
static int
meta_unpack(dbk_meta *m, const char *what, const char *part, dbk_error *err)
{
	const dbk_allocator *a = m->a;
	dbk_meta	out;
	char	   *key = NULL,
			   *text = NULL;
	bool		any = false,
				nomem = false;
	int			rc = -1;

	for (size_t i = 0; i < m->n && !any; i++)
		any = is_packed_key(m->items[i].key);
	if (!any)
		return 0;
	dbk_meta_init(&out, a);
	for (size_t i = 0; i < m->n; i++)
	{
		const char *k = m->items[i].key,
				   *v = m->items[i].value;

		if (is_packed_key(k))
		{
			if ((key = dbk_strndup(a, k, strlen(k) - strlen(PACKED_SUFFIX))) == NULL)
			{
				nomem = true;
				goto corrupt;
			}
			if (dbk_meta_get(m, key) != NULL)
				goto corrupt;
			if ((text = unpack_value(a, v, &nomem)) == NULL)
				goto corrupt;
			k = key;
			v = text;
		}
		if (dbk_meta_set(&out, k, v, err) != 0)
			goto done;
		dbk_free(a, key);
		dbk_free(a, text);
		key = text = NULL;
	}
	dbk_meta_free(m);
	*m = out;
	dbk_meta_init(&out, a);
	rc = 0;
	goto done;
corrupt:
	if (nomem)
		dbk_fail(err, DBK_E_NOMEM, "out of memory reading the %s of %s", part, what);
	else
		dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its %s's compressed %s cannot be read", what, part,
				 key != NULL ? key : "entry");
done:
	dbk_free(a, key);
	dbk_free(a, text);
	dbk_meta_free(&out);
	return rc;
}

/*
 * Trailer entries are plain text that `tail -c` shows, but a PostgreSQL
 * backup's table_rows, one line per table, was the largest part of a
 * schema-heavy backup's trailer (4.2 kB of 4.6 for 300 tables).  An entry of
 * at least PACK_MIN bytes is written packed ("<key>_zstd", a zstd frame of
 * the value in base64, 0.5 kB there) when that is shorter; shorter entries
 * (pgbench's four tables) stay as they are, readable as they stand.
 */
#define PACK_MIN 1024

static int
pack_entry(dbk_meta *m, const char *key, const char *value, dbk_error *err)
{
	const dbk_allocator *a = m->a;
	size_t		n = strlen(value),
				zlen = 0;
	unsigned char *z = NULL;
	char	   *b64 = NULL,
			   *pkey = NULL;
	int			rc = -1;

	if (n < PACK_MIN)
		return dbk_meta_set(m, key, value, err);
	if (text_compress(a, value, n, DBK_ARCHIVE_TEXT_LEVEL, &z, &zlen, err) != 0)
		return -1;
	if (DBK_BASE64_LEN(zlen) + strlen(PACKED_SUFFIX) >= n)
		rc = dbk_meta_set(m, key, value, err);
	else if ((b64 = dbk_alloc(a, DBK_BASE64_LEN(zlen) + 1)) == NULL ||
			 (pkey = dbk_alloc(a, strlen(key) + strlen(PACKED_SUFFIX) + 1)) == NULL)
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
	else
	{
		dbk_base64_encode(b64, z, zlen);
		snprintf(pkey, strlen(key) + strlen(PACKED_SUFFIX) + 1, "%s%s", key, PACKED_SUFFIX);
		rc = dbk_meta_set(m, pkey, b64, err);
	}
	dbk_free(a, z);
	dbk_free(a, b64);
	dbk_free(a, pkey);
	return rc;
}

/* extra's entries into the trailer m, long ones packed. */
static int
pack_trailer(dbk_meta *m, const dbk_meta *extra, dbk_error *err)
{
	for (size_t i = 0; extra != NULL && i < extra->n; i++)
	{
		if (is_packed_key(extra->items[i].key))
			return dbk_fail(err, DBK_E_INVALID, "trailer entry \"%s\" would be read back as another entry",
							extra->items[i].key);
		if (pack_entry(m, extra->items[i].key, extra->items[i].value, err) != 0)
			return -1;
	}
	return 0;
}

/*
 * zstd starts its worker threads in the first ZSTD_compressStream2 call of
 * a frame, and a new thread inherits the signal mask of its creator.  So
 * that call is made here, with no input, while every signal is blocked: the
 * workers never run a host's signal handler (a PostgreSQL backend's, for
 * instance), and the host's thread keeps its own mask for every later call.
 */
static int
start_workers(dbk_archive_writer *w, dbk_error *err)
{
	ZSTD_inBuffer in = {NULL, 0, 0};
	ZSTD_outBuffer out = {w->out, w->outcap, 0};
	sigset_t	all,
				saved;
	size_t		rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	rc = ZSTD_compressStream2(w->cctx, &out, &in, ZSTD_e_continue);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (zstd_check(rc, "starting its worker threads", err) != 0)
		return -1;
	/* nothing is produced before the first input; whatever is, is kept */
	return writer_emit(w, w->out, out.pos, true, err);
}

static dbk_archive_writer *writer_open(const dbk_allocator *a, const dbk_allocator *zstd_alloc,
										dbk_sink sink, const dbk_meta *header, int level,
										int workers, int overlap_log, dbk_error *err);

dbk_archive_writer *
dbk_archive_writer_open(const dbk_allocator *a, dbk_sink sink, const dbk_meta *header,
						int level, int workers, dbk_error *err)
{
	return writer_open(a, a, sink, header, level, workers, 0, err);
}

/*
 * Each zstd job starts by re-reading the end of the previous one (overlap),
 * so that matches across the 4 MB job boundaries are found.  zstd's default
 * at level 3 re-reads an eighth of the window: on a SQL script of pgbench
 * data that made the file 1% (scale 100) to 6% (scale 10) larger than one
 * thread makes it.  The whole window (overlapLog 9) makes it 3% smaller than
 * one thread, for about a fifth more work on the worker thread, which the
 * PostgreSQL backup keeps idle most of the time.  (The SQLite backup keeps
 * zstd's default: its worker is the busier thread there.)
 */
#define THREADED_OVERLAP_LOG 9

dbk_archive_writer *
dbk_archive_writer_open_threaded(const dbk_allocator *a, const dbk_allocator *zstd_alloc,
								 dbk_sink sink, const dbk_meta *header, int level,
								 int workers, dbk_error *err)
{
	return writer_open(a, zstd_alloc, sink, header, level, workers, THREADED_OVERLAP_LOG, err);
}

/* overlap_log: zstd's ZSTD_c_overlapLog with workers, 0 for its default. */
static dbk_archive_writer *
writer_open(const dbk_allocator *a, const dbk_allocator *zstd_alloc, dbk_sink sink,
			const dbk_meta *header, int level, int workers, int overlap_log, dbk_error *err)
{
	dbk_archive_writer *w = dbk_alloc(a, sizeof(*w));
	char	   *payload = NULL;
	size_t		plen = 0;
	dbk_meta	packed;
	const dbk_meta *written;
	const char *schema;
	unsigned char *zschema = NULL;
	size_t		zlen = 0;

	if (w == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	dbk_meta_init(&packed, header->a);
	w->a = a;
	w->sink = sink;
	w->outcap = ZSTD_CStreamOutSize();
	w->out = dbk_alloc(a, w->outcap);
	w->cctx = ZSTD_createCCtx_advanced(zstd_mem(zstd_alloc));
	if (w->out == NULL || w->cctx == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory creating the zstd compressor");
		goto fail;
	}
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
	{
		dbk_fail(err, DBK_E_INVALID, "compression level %d is out of range", level);
		dbk_error_detail(err, "zstd levels go from %d to %d.", ZSTD_minCLevel(), ZSTD_maxCLevel());
		goto fail;
	}
	if (zstd_check(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level), "setting the level", err) ||
		zstd_check(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1), "enabling checksums", err))
		goto fail;
	/*
	 * With workers, compression overlaps the caller's reading and hashing.
	 * 4 MB jobs keep zstd's buffers near 30 MB whatever the input's size;
	 * 1 MB jobs saved 15 MB but were a third slower, each job priming its
	 * overlap with the previous one (measured on a 109 MB database).
	 */
	if (workers > 0 &&
		(zstd_check(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_nbWorkers, workers), "setting workers", err) ||
		 zstd_check(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_jobSize, DBK_ARCHIVE_JOB_SIZE), "setting the job size", err)))
		goto fail;
	if (workers > 0 && overlap_log > 0 &&
		zstd_check(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_overlapLog, overlap_log), "setting the job overlap", err))
		goto fail;
	/*
	 * With workers, the content's SHA-256 is computed on a thread too: on
	 * the calling thread it was the largest single cost of a PostgreSQL
	 * backup, about a second per gigabyte.
	 */
	if (dbk_sha256_init(&w->file_sha, err) != 0 ||
		(workers > 0 ? (w->content_thread = dbk_sha256_thread_start(zstd_alloc, err)) == NULL :
		 dbk_sha256_init(&w->content_sha, err) != 0))
		goto fail;
	if (header_for_writing(header, &packed, &written, &schema, err) != 0 ||
		dbk_meta_encode(written, DBK_ARCHIVE_HEADER_LINE, &payload, &plen, err) != 0 ||
		(schema != NULL && schema_compress(a, schema, &zschema, &zlen, err) != 0))
		goto fail;
	dbk_meta_free(&packed);
	if (writer_emit_skippable(w, DBK_ARCHIVE_SKIPPABLE_MAGIC, payload, plen, true, err) != 0 ||
		(zschema != NULL &&
		 writer_emit_skippable(w, DBK_ARCHIVE_SCHEMA_MAGIC, (const char *) zschema, zlen, true, err) != 0))
		goto fail;
	dbk_free(a, zschema);
	zschema = NULL;
	if (workers > 0 && start_workers(w, err) != 0)
		goto fail;
	dbk_free(header->a, payload);	/* dbk_meta_encode used the header's allocator */
	return w;

fail:
	dbk_meta_free(&packed);
	dbk_free(header->a, payload);
	dbk_free(a, zschema);
	dbk_archive_writer_free(w);
	return NULL;
}

static int
writer_compress(dbk_archive_writer *w, const void *buf, size_t len, ZSTD_EndDirective mode,
				dbk_error *err)
{
	ZSTD_inBuffer in = {buf, len, 0};

	for (;;)
	{
		ZSTD_outBuffer out = {w->out, w->outcap, 0};
		size_t		remaining = ZSTD_compressStream2(w->cctx, &out, &in, mode);

		if (zstd_check(remaining, "compressing", err) != 0)
			return -1;
		if (writer_emit(w, w->out, out.pos, true, err) != 0)
			return -1;
		if (mode == ZSTD_e_continue ? in.pos == in.size : remaining == 0)
			return 0;
	}
}

static void
writer_hash_content(dbk_archive_writer *w, const void *buf, size_t len)
{
	if (w->content_thread != NULL)
		dbk_sha256_thread_update(w->content_thread, buf, len);
	else
		dbk_sha256_update(&w->content_sha, buf, len);
	w->content_bytes += len;
}

int
dbk_archive_write(dbk_archive_writer *w, const void *buf, size_t len, dbk_error *err)
{
	if (len == 0)
		return 0;
	writer_hash_content(w, buf, len);
	w->frame_bytes += len;
	return writer_compress(w, buf, len, ZSTD_e_continue, err);
}

/*
 * A frame of its own, compressed on the calling thread by a second
 * compressor told the size of buf, so that zstd sizes its tables to the
 * text (a few MB at level 19 for a few hundred kB) rather than to a stream
 * of unknown length.  The streaming frame ends first when it holds content:
 * the next dbk_archive_write starts a new one, on the same worker threads.
 */
int
dbk_archive_write_frame(dbk_archive_writer *w, const void *buf, size_t len, int level,
						dbk_error *err)
{
	ZSTD_inBuffer in = {buf, len, 0};

	if (len == 0)
		return 0;
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		return dbk_fail(err, DBK_E_INVALID, "compression level %d is out of range", level);
	if (w->frame_bytes > 0)
	{
		if (writer_compress(w, NULL, 0, ZSTD_e_end, err) != 0)
			return -1;
		w->frame_bytes = 0;
	}
	if (w->frame_cctx == NULL && (w->frame_cctx = ZSTD_createCCtx_advanced(zstd_mem(w->a))) == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory creating the zstd compressor");
	if (zstd_check(ZSTD_CCtx_reset(w->frame_cctx, ZSTD_reset_session_and_parameters), "resetting", err) ||
		zstd_check(ZSTD_CCtx_setParameter(w->frame_cctx, ZSTD_c_compressionLevel, level), "setting the level", err) ||
		zstd_check(ZSTD_CCtx_setParameter(w->frame_cctx, ZSTD_c_checksumFlag, 1), "enabling checksums", err) ||
		zstd_check(ZSTD_CCtx_setPledgedSrcSize(w->frame_cctx, len), "setting the frame's size", err))
		return -1;
	writer_hash_content(w, buf, len);
	for (;;)
	{
		ZSTD_outBuffer out = {w->out, w->outcap, 0};
		size_t		remaining = ZSTD_compressStream2(w->frame_cctx, &out, &in, ZSTD_e_end);

		if (zstd_check(remaining, "compressing", err) != 0 ||
			writer_emit(w, w->out, out.pos, true, err) != 0)
			return -1;
		if (remaining == 0)
			return 0;
	}
}

int
dbk_archive_writer_finish(dbk_archive_writer *w, const dbk_meta *extra,
						  dbk_archive_summary *summary, dbk_error *err)
{
	dbk_meta	trailer;
	char		file_hex[DBK_SHA256_HEX_LEN + 1];
	char		trailer_hex[DBK_SHA256_HEX_LEN + 1];
	char	   *enc = NULL,
			   *payload = NULL;
	size_t		elen = 0,
				plen;
	int			rc = -1;

	dbk_meta_init(&trailer, w->a);
	/* the streaming frame, unless everything went into frames of their own */
	if ((w->frame_bytes > 0 || w->content_bytes == 0) &&
		writer_compress(w, NULL, 0, ZSTD_e_end, err) != 0)
		goto done;
	if (w->content_thread != NULL)
	{
		dbk_sha256_thread_final_hex(w->content_thread, summary->content_sha256);
		w->content_thread = NULL;
	}
	else
		dbk_sha256_final_hex(&w->content_sha, summary->content_sha256);
	dbk_sha256_final_hex(&w->file_sha, file_hex);
	summary->content_bytes = w->content_bytes;

	if (dbk_meta_set_u64(&trailer, "content_bytes", w->content_bytes, err) ||
		dbk_meta_set(&trailer, "content_sha256", summary->content_sha256, err) ||
		dbk_meta_set_u64(&trailer, "file_bytes", w->file_bytes, err) ||
		dbk_meta_set(&trailer, "file_sha256", file_hex, err) ||
		pack_trailer(&trailer, extra, err) ||
		dbk_meta_encode(&trailer, DBK_ARCHIVE_TRAILER_LINE, &enc, &elen, err))
		goto done;
	if (dbk_sha256_hex(enc, elen, trailer_hex, err) != 0)
		goto done;

	plen = elen + strlen(SHA_LINE_PREFIX) + DBK_SHA256_HEX_LEN + 1 + END_LINE_LEN;
	payload = dbk_alloc(w->a, plen + 1);
	if (payload == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	memcpy(payload, enc, elen);
	snprintf(payload + elen, plen + 1 - elen, "%s%s\nend=%010zu\n", SHA_LINE_PREFIX,
			 trailer_hex, plen + 8);
	if (writer_emit_skippable(w, DBK_ARCHIVE_SKIPPABLE_MAGIC, payload, plen, false, err) != 0)
		goto done;
	summary->file_bytes = w->file_bytes;
	rc = 0;

done:
	dbk_free(w->a, enc);
	dbk_free(w->a, payload);
	dbk_meta_free(&trailer);
	return rc;
}

void
dbk_archive_writer_free(dbk_archive_writer *w)
{
	if (w == NULL)
		return;
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCCtx(w->frame_cctx);
	dbk_sha256_abandon(&w->file_sha);
	dbk_sha256_abandon(&w->content_sha);
	dbk_sha256_thread_abandon(w->content_thread);
	dbk_free(w->a, w->out);
	dbk_free(w->a, w);
}

/* ---------------------------------------------------------- trailer text */

/*
 * Checks a trailer payload's own framing and checksum and decodes it.
 * frame_len is the length of the whole skippable frame it came from.
 */
static int
decode_trailer(dbk_meta *m, const char *payload, size_t plen, size_t frame_len,
			   const char *what, dbk_error *err)
{
	static const char *const lines[] = {DBK_ARCHIVE_TRAILER_LINE_1, DBK_ARCHIVE_TRAILER_LINE_2};
	const char *line = DBK_ARCHIVE_TRAILER_LINE;
	size_t		sha_line = strlen(SHA_LINE_PREFIX) + DBK_SHA256_HEX_LEN + 1;
	char		want_end[END_LINE_LEN + 1];
	char		hex[DBK_SHA256_HEX_LEN + 1];
	size_t		body;

	if (plen < sha_line + END_LINE_LEN)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer is too short", what);
	snprintf(want_end, sizeof(want_end), "end=%010zu\n", frame_len);
	if (memcmp(payload + plen - END_LINE_LEN, want_end, END_LINE_LEN) != 0)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer's length line is wrong", what);
	body = plen - END_LINE_LEN - sha_line;
	if (memcmp(payload + body, SHA_LINE_PREFIX, strlen(SHA_LINE_PREFIX)) != 0)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer has no checksum line", what);
	if (dbk_sha256_hex(payload, body, hex, err) != 0)
		return -1;
	if (memcmp(payload + body + strlen(SHA_LINE_PREFIX), hex, DBK_SHA256_HEX_LEN) != 0 ||
		payload[body + sha_line - 1] != '\n')
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer's checksum does not match", what);
	for (int i = 0; i < 2; i++)
		if (body > strlen(lines[i]) && memcmp(payload, lines[i], strlen(lines[i])) == 0 &&
			payload[strlen(lines[i])] == '\n')
			line = lines[i];
	if (dbk_meta_decode(m, payload, body, line, err) != 0)
	{
		dbk_error_prefix(err, "%s is corrupt: ", what);
		return -1;
	}
	return meta_unpack(m, what, "trailer", err);
}

/*
 * The header frame's payload into m, and its format version into *format;
 * format 1's compressed schema is read back as "schema" here, the schema
 * frame of later formats by the caller.
 */
static int
decode_header(dbk_meta *m, const char *payload, size_t plen, int *format, const char *what,
			  dbk_error *err)
{
	static const char *const lines[] = {DBK_ARCHIVE_HEADER_LINE_1, DBK_ARCHIVE_HEADER_LINE_2};
	const char *line = DBK_ARCHIVE_HEADER_LINE;

	*format = atoi(DBK_ARCHIVE_FORMAT);
	for (int i = 0; i < 2; i++)
		if (plen > strlen(lines[i]) && memcmp(payload, lines[i], strlen(lines[i])) == 0 &&
			payload[strlen(lines[i])] == '\n')
		{
			line = lines[i];
			*format = i + 1;
		}
	if (dbk_meta_decode(m, payload, plen, line, err) != 0)
	{
		if (plen >= 16 && memcmp(payload, "dbkeeper-header ", 16) == 0)
			return dbk_fail(err, DBK_E_CORRUPT,
							"%s is corrupt or of an unsupported format version: %s", what, err->message);
		return dbk_fail(err, DBK_E_CORRUPT, "%s is not a dbkeeper backup", what);
	}
	return meta_unpack(m, what, "header", err);
}

/* ---------------------------------------------------------------- reader */

enum reader_state
{
	R_BETWEEN_FRAMES,
	R_IN_FRAME,
	R_DONE
};

struct dbk_archive_reader
{
	const dbk_allocator *a;
	dbk_source	src;
	const char *what;
	ZSTD_DCtx  *dctx;
	unsigned char *buf;
	size_t		pos;
	size_t		len;
	bool		eof;
	enum reader_state state;
	dbk_sha256	file_sha;
	dbk_sha256	content_sha;
	bool		content_hash_off;	/* see dbk_archive_reader_trust_file_hash */
	uint64_t	file_bytes;
	uint64_t	content_bytes;
	dbk_meta	header;
	dbk_meta	trailer;
};

/* Makes at least want bytes available (fewer only at end of input). */
static int
reader_fill(dbk_archive_reader *r, size_t want, dbk_error *err)
{
	if (r->len - r->pos >= want || r->eof)
		return 0;
	if (r->pos > 0)
	{
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	while (r->len < want && !r->eof)
	{
		ssize_t		n = r->src.read(r->src.ctx, r->buf + r->len, READ_BUF_SIZE - r->len, err);

		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = true;
		r->len += (size_t) n;
	}
	return 0;
}

static void
reader_consume(dbk_archive_reader *r, size_t n, bool hashed)
{
	if (hashed)
		dbk_sha256_update(&r->file_sha, r->buf + r->pos, n);
	r->file_bytes += n;
	r->pos += n;
}

/* Reads a skippable frame's payload into a new buffer. */
static int
reader_take_skippable(dbk_archive_reader *r, bool hashed, char **payload, size_t *plen,
					  dbk_error *err)
{
	uint32_t	size;
	size_t		got = 0;
	char	   *p;

	if (reader_fill(r, 8, err) != 0)
		return -1;
	if (r->len - r->pos < 8)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is truncated", r->what);
	size = get_le32(r->buf + r->pos + 4);
	if (size > DBK_ARCHIVE_MAX_RECORD)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: a metadata frame claims %" PRIu32 " bytes",
						r->what, size);
	reader_consume(r, 8, hashed);
	p = dbk_alloc(r->a, (size_t) size + 1);
	if (p == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	while (got < size)
	{
		size_t		chunk;

		if (reader_fill(r, 1, err) != 0)
		{
			dbk_free(r->a, p);
			return -1;
		}
		chunk = r->len - r->pos;
		if (chunk == 0)
		{
			dbk_free(r->a, p);
			return dbk_fail(err, DBK_E_CORRUPT, "%s is truncated", r->what);
		}
		if (chunk > size - got)
			chunk = size - got;
		memcpy(p + got, r->buf + r->pos, chunk);
		reader_consume(r, chunk, hashed);
		got += chunk;
	}
	p[size] = '\0';
	*payload = p;
	*plen = size;
	return 0;
}

dbk_archive_reader *
dbk_archive_reader_open(const dbk_allocator *a, dbk_source src, const char *what,
						dbk_error *err)
{
	dbk_archive_reader *r = dbk_alloc(a, sizeof(*r));
	char	   *payload = NULL;
	size_t		plen = 0;
	uint32_t	magic;
	int			format;

	if (r == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->src = src;
	r->what = what;
	dbk_meta_init(&r->header, a);
	dbk_meta_init(&r->trailer, a);
	r->buf = dbk_alloc(a, READ_BUF_SIZE);
	r->dctx = ZSTD_createDCtx_advanced(zstd_mem(a));
	if (r->buf == NULL || r->dctx == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory creating the zstd decompressor");
		goto fail;
	}
	if (dbk_sha256_init(&r->file_sha, err) != 0 || dbk_sha256_init(&r->content_sha, err) != 0)
		goto fail;
	if (reader_fill(r, 8, err) != 0)
		goto fail;
	if (r->len < 8)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is not a dbkeeper backup", what);
		dbk_error_detail(err, "The file is only %zu bytes long.", r->len);
		goto fail;
	}
	magic = get_le32(r->buf);
	if (magic != DBK_ARCHIVE_SKIPPABLE_MAGIC)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is not a dbkeeper backup", what);
		if (magic == ZSTD_FRAME_MAGIC)
			dbk_error_detail(err, "It is a zstd file without dbkeeper's header.");
		else
			dbk_error_detail(err, "It does not start with dbkeeper's header frame.");
		goto fail;
	}
	if (reader_take_skippable(r, true, &payload, &plen, err) != 0 ||
		decode_header(&r->header, payload, plen, &format, what, err) != 0)
		goto fail;
	dbk_free(a, payload);
	payload = NULL;
	/* format 2's schema frame, right after the header */
	if (reader_fill(r, 4, err) != 0)
		goto fail;
	if (r->len - r->pos >= 4 && get_le32(r->buf + r->pos) == DBK_ARCHIVE_SCHEMA_MAGIC)
	{
		if (reader_take_skippable(r, true, &payload, &plen, err) != 0 ||
			schema_add(&r->header, (const unsigned char *) payload, plen, format, what, err) != 0)
			goto fail;
		dbk_free(a, payload);
	}
	r->state = R_BETWEEN_FRAMES;
	return r;

fail:
	dbk_free(a, payload);
	dbk_archive_reader_free(r);
	return NULL;
}

void
dbk_archive_reader_trust_file_hash(dbk_archive_reader *r)
{
	r->content_hash_off = true;
}

const dbk_meta *
dbk_archive_reader_header(const dbk_archive_reader *r)
{
	return &r->header;
}

const dbk_meta *
dbk_archive_reader_trailer(const dbk_archive_reader *r)
{
	return &r->trailer;
}

/*
 * Compares the trailer's record of the bytes before it (their number and
 * SHA-256) with what a reader found there.
 */
static int
check_file_hash(const dbk_meta *trailer, uint64_t bytes, const char *hex, const char *what,
				dbk_error *err)
{
	uint64_t	n;
	const char *v;

	if (!dbk_meta_get_u64(trailer, "file_bytes", &n) || n != bytes ||
		(v = dbk_meta_get(trailer, "file_sha256")) == NULL || strcmp(v, hex) != 0)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: the checksum of its compressed data does not match",
						what);
	return 0;
}

/* Reads the trailer frame and compares it with what was read before it. */
static int
reader_finish(dbk_archive_reader *r, dbk_error *err)
{
	char		file_hex[DBK_SHA256_HEX_LEN + 1];
	char		content_hex[DBK_SHA256_HEX_LEN + 1];
	uint64_t	before = r->file_bytes;
	uint64_t	n;
	char	   *payload = NULL;
	size_t		plen = 0;
	const char *v;
	int			rc = -1;

	dbk_sha256_final_hex(&r->file_sha, file_hex);
	dbk_sha256_final_hex(&r->content_sha, content_hex);
	if (reader_take_skippable(r, false, &payload, &plen, err) != 0 ||
		decode_trailer(&r->trailer, payload, plen, plen + 8, r->what, err) != 0)
		goto done;
	if (check_file_hash(&r->trailer, before, file_hex, r->what, err) != 0)
		goto done;
	if (!dbk_meta_get_u64(&r->trailer, "content_bytes", &n) || n != r->content_bytes ||
		(!r->content_hash_off &&
		 ((v = dbk_meta_get(&r->trailer, "content_sha256")) == NULL || strcmp(v, content_hex) != 0)))
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: the SHA-256 of its content does not match", r->what);
		goto done;
	}
	if (reader_fill(r, 1, err) != 0)
		goto done;
	if (r->len > r->pos)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: there is data after its trailer", r->what);
		goto done;
	}
	r->state = R_DONE;
	rc = 0;
done:
	dbk_free(r->a, payload);
	return rc;
}

int
dbk_archive_read(dbk_archive_reader *r, void *buf, size_t cap, size_t *got, dbk_error *err)
{
	*got = 0;
	while (r->state != R_DONE)
	{
		if (r->state == R_BETWEEN_FRAMES)
		{
			uint32_t	magic;

			if (reader_fill(r, 4, err) != 0)
				return -1;
			if (r->len - r->pos < 4)
				return dbk_fail(err, DBK_E_CORRUPT, "%s is truncated: its trailer is missing", r->what);
			magic = get_le32(r->buf + r->pos);
			if (magic == ZSTD_FRAME_MAGIC)
				r->state = R_IN_FRAME;
			else if (magic == DBK_ARCHIVE_SKIPPABLE_MAGIC)
				return reader_finish(r, err);
			else
				return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: unexpected bytes at offset %" PRIu64,
								r->what, r->file_bytes);
		}
		else
		{
			ZSTD_inBuffer in;
			ZSTD_outBuffer out = {buf, cap, 0};
			size_t		ret;

			if (reader_fill(r, 1, err) != 0)
				return -1;
			if (r->len == r->pos)
				return dbk_fail(err, DBK_E_CORRUPT, "%s is truncated", r->what);
			in.src = r->buf + r->pos;
			in.size = r->len - r->pos;
			in.pos = 0;
			ret = ZSTD_decompressStream(r->dctx, &out, &in);
			if (ZSTD_isError(ret))
			{
				/* dbkeeper's words; zstd's ("Restored data doesn't match checksum") as detail */
				dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its compressed data cannot be decompressed",
						 r->what);
				dbk_error_detail(err, "zstd reported: %s.", ZSTD_getErrorName(ret));
				return -1;
			}
			reader_consume(r, in.pos, true);
			if (ret == 0)
				r->state = R_BETWEEN_FRAMES;
			if (out.pos > 0)
			{
				if (!r->content_hash_off)
					dbk_sha256_update(&r->content_sha, buf, out.pos);
				r->content_bytes += out.pos;
				*got = out.pos;
				return 0;
			}
		}
	}
	return 0;
}

void
dbk_archive_reader_free(dbk_archive_reader *r)
{
	if (r == NULL)
		return;
	ZSTD_freeDCtx(r->dctx);
	dbk_sha256_abandon(&r->file_sha);
	dbk_sha256_abandon(&r->content_sha);
	dbk_meta_free(&r->header);
	dbk_meta_free(&r->trailer);
	dbk_free(r->a, r->buf);
	dbk_free(r->a, r);
}

int
dbk_archive_verify_stream(const dbk_allocator *a, dbk_source src, const char *what,
						  dbk_meta *header_out, dbk_error *err)
{
	dbk_archive_reader *r = dbk_archive_reader_open(a, src, what, err);
	char	   *buf = NULL;
	size_t		got = 0;
	int			rc = -1;

	if (r == NULL)
		return -1;
	buf = dbk_alloc(a, READ_BUF_SIZE);
	if (buf == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	do
	{
		if (dbk_archive_read(r, buf, READ_BUF_SIZE, &got, err) != 0)
			goto done;
	} while (got > 0);
	rc = header_out ? dbk_meta_merge(header_out, &r->header, err) : 0;
done:
	dbk_free(a, buf);
	dbk_archive_reader_free(r);
	return rc;
}

/* ------------------------------------------------------------------ peek */

/*
 * Format 2's schema frame, when the frame at offset off (right after the
 * header frame) is one, into header as "schema".
 */
static int
peek_schema(const dbk_allocator *a, int fd, uint64_t off, uint64_t file_bytes, int format,
			const char *what, dbk_meta *header, dbk_error *err)
{
	unsigned char hdr[8];
	unsigned char *z;
	uint32_t	size;
	int			rc;

	if (off + 8 > file_bytes)
		return 0;				/* too short for anything: the trailer checks say so */
	if (dbk_pread_exact(fd, hdr, 8, (off_t) off, what, err) != 0)
		return -1;
	if (get_le32(hdr) != DBK_ARCHIVE_SCHEMA_MAGIC)
		return 0;
	size = get_le32(hdr + 4);
	if (size > DBK_ARCHIVE_MAX_RECORD || off + 8 + size > file_bytes)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt or truncated", what);
	if ((z = dbk_alloc(a, size > 0 ? size : 1)) == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	rc = dbk_pread_exact(fd, z, size, (off_t) (off + 8), what, err);
	if (rc == 0)
		rc = schema_add(header, z, size, format, what, err);
	dbk_free(a, z);
	return rc;
}

/* dbk_archive_peek, also saying how long the trailer frame is. */
static int
peek(const dbk_allocator *a, int fd, const char *what, dbk_meta *header, dbk_meta *trailer,
	 uint64_t *file_bytes, uint64_t *trailer_bytes, dbk_error *err)
{
	struct stat st;
	unsigned char hdr[8];
	char		endline[END_LINE_LEN + 1];
	char	   *payload = NULL;
	uint64_t	frame_len = 0;
	uint32_t	size;
	int			rc = -1,
				format;

	if (fstat(fd, &st) != 0)
		return dbk_fail_errno(err, errno, "could not stat %s", what);
	*file_bytes = (uint64_t) st.st_size;
	if (dbk_pread_exact(fd, hdr, 8, 0, what, err) != 0 || get_le32(hdr) != DBK_ARCHIVE_SKIPPABLE_MAGIC)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is not a dbkeeper backup", what);
	size = get_le32(hdr + 4);
	if (size > DBK_ARCHIVE_MAX_RECORD || (uint64_t) size + 8 + 8 + END_LINE_LEN > *file_bytes)
		return dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt or truncated", what);
	payload = dbk_alloc(a, (size_t) size + 1);
	if (payload == NULL)
		return dbk_fail(err, DBK_E_NOMEM, "out of memory");
	if (dbk_pread_exact(fd, payload, size, 8, what, err) != 0 ||
		decode_header(header, payload, size, &format, what, err) != 0)
		goto done;
	dbk_free(a, payload);
	payload = NULL;
	if (peek_schema(a, fd, (uint64_t) size + 8, *file_bytes, format, what, header, err) != 0)
		goto done;

	/* The trailer: its last line says how long the whole frame is. */
	if (dbk_pread_exact(fd, endline, END_LINE_LEN, st.st_size - END_LINE_LEN, what, err) != 0)
		goto done;
	endline[END_LINE_LEN] = '\0';
	if (memcmp(endline, "end=", 4) != 0 || endline[END_LINE_LEN - 1] != '\n')
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is truncated: its trailer is missing", what);
		goto done;
	}
	for (int i = 4; i < END_LINE_LEN - 1; i++)
	{
		if (endline[i] < '0' || endline[i] > '9')
		{
			dbk_fail(err, DBK_E_CORRUPT, "%s is truncated: its trailer is missing", what);
			goto done;
		}
		frame_len = frame_len * 10 + (uint64_t) (endline[i] - '0');
	}
	if (frame_len < 8 + END_LINE_LEN || frame_len > *file_bytes - 8 ||
		frame_len - 8 > DBK_ARCHIVE_MAX_RECORD)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer's length line is wrong", what);
		goto done;
	}
	if (dbk_pread_exact(fd, hdr, 8, (off_t) (*file_bytes - frame_len), what, err) != 0)
		goto done;
	if (get_le32(hdr) != DBK_ARCHIVE_SKIPPABLE_MAGIC || get_le32(hdr + 4) != frame_len - 8)
	{
		dbk_fail(err, DBK_E_CORRUPT, "%s is corrupt: its trailer frame is damaged", what);
		goto done;
	}
	payload = dbk_alloc(a, (size_t) frame_len - 8 + 1);
	if (payload == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	if (dbk_pread_exact(fd, payload, (size_t) frame_len - 8, (off_t) (*file_bytes - frame_len + 8),
						what, err) != 0 ||
		decode_trailer(trailer, payload, (size_t) frame_len - 8, (size_t) frame_len, what, err) != 0)
		goto done;
	*trailer_bytes = frame_len;
	rc = 0;
done:
	dbk_free(a, payload);
	return rc;
}

int
dbk_archive_peek(const dbk_allocator *a, int fd, const char *what, dbk_meta *header,
				 dbk_meta *trailer, uint64_t *file_bytes, dbk_error *err)
{
	uint64_t	trailer_bytes;

	return peek(a, fd, what, header, trailer, file_bytes, &trailer_bytes, err);
}

int
dbk_archive_check_file(const dbk_allocator *a, int fd, const char *what, dbk_meta *header,
					   dbk_error *err)
{
	dbk_meta	trailer;
	dbk_sha256	sha;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	uint64_t	file_bytes,
				trailer_bytes,
				before;
	unsigned char *buf = NULL;
	int			rc = -1;

	dbk_meta_init(&trailer, a);
	if (dbk_sha256_init(&sha, err) != 0)
		return -1;
	if (peek(a, fd, what, header, &trailer, &file_bytes, &trailer_bytes, err) != 0)
		goto done;
	before = file_bytes - trailer_bytes;
	if ((buf = dbk_alloc(a, READ_BUF_SIZE)) == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		goto done;
	}
	for (uint64_t off = 0; off < before;)
	{
		size_t		chunk = before - off < READ_BUF_SIZE ? (size_t) (before - off) : READ_BUF_SIZE;

		if (dbk_pread_exact(fd, buf, chunk, (off_t) off, what, err) != 0)
			goto done;
		dbk_sha256_update(&sha, buf, chunk);
		off += chunk;
	}
	dbk_sha256_final_hex(&sha, hex);
	rc = check_file_hash(&trailer, before, hex, what, err);
done:
	dbk_free(a, buf);
	dbk_sha256_abandon(&sha);
	dbk_meta_free(&trailer);
	return rc;
}
