/*
 * arena.c — the string arena; see arena.h.
 */
#include "arena.h"

#include <string.h>

#define ARENA_CHUNK_BYTES (64 * 1024)

struct dbk_arena_chunk
{
	dbk_arena_chunk *next;
	/* the strings follow */
};

void
dbk_arena_init(dbk_arena *ar, const dbk_allocator *a)
{
	ar->a = a;
	ar->chunks = NULL;
	ar->pos = NULL;
	ar->left = 0;
}

void
dbk_arena_free(dbk_arena *ar)
{
	while (ar->chunks)
	{
		dbk_arena_chunk *next = ar->chunks->next;

		dbk_free(ar->a, ar->chunks);
		ar->chunks = next;
	}
	ar->pos = NULL;
	ar->left = 0;
}

void *
dbk_arena_alloc(dbk_arena *ar, size_t size)
{
	char	   *p;

	if (size > ar->left)
	{
		size_t		want = size > ARENA_CHUNK_BYTES ? size : ARENA_CHUNK_BYTES;
		dbk_arena_chunk *c = dbk_alloc(ar->a, sizeof(dbk_arena_chunk) + want);

		if (c == NULL)
			return NULL;
		c->next = ar->chunks;
		ar->chunks = c;
		ar->pos = (char *) (c + 1);
		ar->left = want;
	}
	p = ar->pos;
	ar->pos += size;
	ar->left -= size;
	return p;
}

const char *
dbk_arena_copy(dbk_arena *ar, const char *s, size_t len)
{
	char	   *p = dbk_arena_alloc(ar, len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
