/*
 * archive.h — dbkeeper's backup file format: writer and reader.
 *
 * A backup file is a sequence of frames that the zstd tool understands:
 *
 *   header   zstd skippable frame (magic 0x184D2A5B): "dbkeeper-header 3"
 *            and key=value metadata (see metadata.h), but for "schema":
 *   schema   when the header has a "schema" entry: a skippable frame (magic
 *            0x184D2A5C) holding one zstd frame of its text, its numbers
 *            apart (format 3; format 2 had the text as it is), read back
 *            as "schema" (format 1 kept it in the header; archive.c)
 *   content  one or more standard zstd frames with content checksums
 *   trailer  zstd skippable frame (magic 0x184D2A5B): "dbkeeper-trailer 3",
 *            the content's size and SHA-256, the size and SHA-256 of every
 *            byte of the file before the trailer, any extra metadata, then
 *            "trailer_sha256=<SHA-256 of the trailer text above>" and last a
 *            fixed-width "end=<frame length, 10 digits>" line, so a reader can
 *            find the trailer from the end of the file.
 *
 * `zstd -t` checks such a file and `zstd -dc` prints the plain content.
 * Readers read formats 1 and 2 too (archive.c).
 * Together the checksums cover every byte, so a flipped byte anywhere is
 * caught by a full read, and truncation is caught because the trailer is
 * missing or does not match.
 *
 * Both halves stream: memory does not depend on the size of the content.
 * Errors name the file through the `what` text the caller passes, for
 * example: backup "app-2026-01-01T00-00-00Z.sqlite3.zst".
 */
#ifndef DBK_ARCHIVE_H
#define DBK_ARCHIVE_H

#include <stdint.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"
#include "../util/metadata.h"
#include "../util/sha256.h"
#include "../util/stream.h"

#define DBK_ARCHIVE_FORMAT "3"
#define DBK_ARCHIVE_SKIPPABLE_MAGIC 0x184D2A5BU
#define DBK_ARCHIVE_SCHEMA_MAGIC 0x184D2A5CU
#define DBK_ARCHIVE_HEADER_LINE "dbkeeper-header " DBK_ARCHIVE_FORMAT
#define DBK_ARCHIVE_TRAILER_LINE "dbkeeper-trailer " DBK_ARCHIVE_FORMAT
/* the lines of formats 1 and 2, which readers still read */
#define DBK_ARCHIVE_HEADER_LINE_1 "dbkeeper-header 1"
#define DBK_ARCHIVE_TRAILER_LINE_1 "dbkeeper-trailer 1"
#define DBK_ARCHIVE_HEADER_LINE_2 "dbkeeper-header 2"
#define DBK_ARCHIVE_TRAILER_LINE_2 "dbkeeper-trailer 2"
/*
 * The zstd level of the metadata a backup carries beside its content: the
 * schema description and the trailer's long entries (archive.c says what
 * it costs).
 */
#define DBK_ARCHIVE_TEXT_LEVEL 16
/* Metadata records larger than this are refused as corrupt by readers. */
#define DBK_ARCHIVE_MAX_RECORD (256U * 1024 * 1024)

typedef struct dbk_archive_summary
{
	uint64_t	content_bytes;	/* plain bytes written */
	uint64_t	file_bytes;		/* whole file, trailer included */
	char		content_sha256[DBK_SHA256_HEX_LEN + 1];
} dbk_archive_summary;

typedef struct dbk_archive_writer dbk_archive_writer;
typedef struct dbk_archive_reader dbk_archive_reader;

/*
 * Starts an archive on sink: writes the header frame made of header's
 * entries.  level is the zstd level; workers > 0 compresses on that many
 * threads.  Returns NULL after filling err.  Everything is allocated from a,
 * zstd's compressor included: with workers > 0, a must be thread-safe.
 */
dbk_archive_writer *dbk_archive_writer_open(const dbk_allocator *a, dbk_sink sink,
											const dbk_meta *header, int level,
											int workers, dbk_error *err);

/*
 * The same, with zstd's compressor (its contexts, job buffers and worker
 * threads' memory) drawn from zstd_alloc instead of a.  With workers > 0,
 * zstd allocates and frees from its worker threads, so zstd_alloc must be
 * thread-safe (dbk_libc_allocator is); a, used only by the calling thread,
 * need not be.  Both allocators must outlive the writer.
 *
 * Threads: zstd's worker threads run zstd code only, and with workers > 0
 * the content's SHA-256 is computed on a thread of its own
 * (sha256_thread.h, buffers from zstd_alloc); neither calls back into the
 * caller: the sink, the file's hash and every use of a happen on the
 * calling thread.  The workers are started (in this call) with every
 * signal blocked, so a host's signal handlers only ever run on the host's
 * own thread.
 * dbk_archive_writer_free stops and joins them.  With workers, each job
 * overlaps the whole compression window of the previous one, so the file is
 * no larger than one thread would make it (archive.c says what it costs).
 */
dbk_archive_writer *dbk_archive_writer_open_threaded(const dbk_allocator *a,
													 const dbk_allocator *zstd_alloc,
													 dbk_sink sink, const dbk_meta *header,
													 int level, int workers, dbk_error *err);
int			dbk_archive_write(dbk_archive_writer *w, const void *buf, size_t len,
							  dbk_error *err);

/*
 * Writes buf as a zstd frame of its own at level (the content goes on
 * after it, in order): for text that is small beside the rest of the
 * content and pays for another level, such as a PostgreSQL backup's schema
 * statements.  Compresses on the calling thread.
 */
int			dbk_archive_write_frame(dbk_archive_writer *w, const void *buf, size_t len,
									int level, dbk_error *err);
/* Ends the content and writes the trailer with extra's entries (may be NULL). */
int			dbk_archive_writer_finish(dbk_archive_writer *w, const dbk_meta *extra,
									  dbk_archive_summary *summary, dbk_error *err);
void		dbk_archive_writer_free(dbk_archive_writer *w);

/* Reads and checks the header frame.  NULL after filling err. */
dbk_archive_reader *dbk_archive_reader_open(const dbk_allocator *a, dbk_source src,
											const char *what, dbk_error *err);
const dbk_meta *dbk_archive_reader_header(const dbk_archive_reader *r);

/*
 * For a second reading of a file already verified whole: the content's
 * SHA-256 is not computed again.  The file's SHA-256, which covers every
 * byte of the file, and zstd's frame checksums are still checked, so a file
 * changed since is still refused.  Call before the first dbk_archive_read.
 */
void		dbk_archive_reader_trust_file_hash(dbk_archive_reader *r);

/*
 * Reads up to cap bytes of content into buf and sets *got.  *got == 0 means
 * the content has ended and the trailer has been read and every checksum
 * matched; only then is the content known to be good.
 */
int			dbk_archive_read(dbk_archive_reader *r, void *buf, size_t cap, size_t *got,
							 dbk_error *err);
/* The trailer, once dbk_archive_read has returned *got == 0. */
const dbk_meta *dbk_archive_reader_trailer(const dbk_archive_reader *r);
void		dbk_archive_reader_free(dbk_archive_reader *r);

/*
 * Reads a backup's header and trailer without decompressing it, through
 * pread on fd (for listings).  Checks the trailer's own checksum, not the
 * content's.  *file_bytes is the size of the file.
 */
int			dbk_archive_peek(const dbk_allocator *a, int fd, const char *what,
							 dbk_meta *header, dbk_meta *trailer,
							 uint64_t *file_bytes, dbk_error *err);

/*
 * Checks through pread on fd that the file is byte for byte what was written:
 * the header and trailer frames are well formed (as dbk_archive_peek), and
 * the SHA-256 and length of everything before the trailer match it.  It
 * does not decompress, so it is several times faster than a full
 * verification; what it leaves unchecked (the content's own SHA-256 and
 * zstd's frame checksums, which only a writer's fault could break in a file
 * that passes) is checked by any later full read.  Fills header.
 */
int			dbk_archive_check_file(const dbk_allocator *a, int fd, const char *what,
								   dbk_meta *header, dbk_error *err);

/* Reads everything through a reader and discards it: a full verification. */
int			dbk_archive_verify_stream(const dbk_allocator *a, dbk_source src,
									  const char *what, dbk_meta *header_out,
									  dbk_error *err);

#endif
