/*
 * arena.h — a string arena: many small strings copied once, freed together.
 *
 * Strings live in chunks of at least 64 KiB that never move, so a pointer
 * returned by dbk_arena_copy stays valid until dbk_arena_free.  Each copy is
 * NUL-terminated.  All memory comes from the allocator given to
 * dbk_arena_init.
 */
#ifndef DBK_ARENA_H
#define DBK_ARENA_H

#include <stddef.h>

#include "dbk_alloc.h"

typedef struct dbk_arena_chunk dbk_arena_chunk;

typedef struct dbk_arena
{
	const dbk_allocator *a;
	dbk_arena_chunk *chunks;	/* newest first */
	char	   *pos;			/* free space of the newest chunk */
	size_t		left;
} dbk_arena;

void		dbk_arena_init(dbk_arena *ar, const dbk_allocator *a);
void		dbk_arena_free(dbk_arena *ar);

/* size bytes, unaligned, or NULL when memory runs out. */
void	   *dbk_arena_alloc(dbk_arena *ar, size_t size);

/* A NUL-terminated copy of len bytes of s, or NULL when memory runs out. */
const char *dbk_arena_copy(dbk_arena *ar, const char *s, size_t len);

#endif
