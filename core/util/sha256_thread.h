/*
 * sha256_thread.h — SHA-256 computed on a thread of its own.
 *
 * For the backup writer, whose calling thread (the PostgreSQL backend, the
 * SQLite connection's thread) is the busiest: hashing a database's dump
 * there costs about a second per gigabyte.  update() copies the bytes into
 * one of a few fixed blocks and returns; the thread hashes full blocks in
 * order.  Memory is DBK_SHA256_THREAD_BLOCKS blocks of
 * DBK_SHA256_THREAD_BLOCK bytes, whatever the input's size.
 *
 * Threads: started with every signal blocked; it runs libcrypto and the
 * allocator given (which must be thread-safe) only, and never calls back
 * into the caller.  final_hex and abandon join it.
 */
#ifndef DBK_SHA256_THREAD_H
#define DBK_SHA256_THREAD_H

#include <stddef.h>

#include "dbk_alloc.h"
#include "error.h"
#include "sha256.h"

#define DBK_SHA256_THREAD_BLOCKS 4
#define DBK_SHA256_THREAD_BLOCK (1024 * 1024)

typedef struct dbk_sha256_thread dbk_sha256_thread;

dbk_sha256_thread *dbk_sha256_thread_start(const dbk_allocator *a, dbk_error *err);
void		dbk_sha256_thread_update(dbk_sha256_thread *h, const void *data, size_t len);
/* Waits for every byte to be hashed, writes the digest, joins and frees. */
void		dbk_sha256_thread_final_hex(dbk_sha256_thread *h, char hex[DBK_SHA256_HEX_LEN + 1]);
/* Stops without a digest, joins and frees; NULL is accepted. */
void		dbk_sha256_thread_abandon(dbk_sha256_thread *h);

#endif
