/*
 * alloc.c — the C library allocator as a dbk_allocator, for tests and tools.
 */
#include "dbk_alloc.h"

#include <stdlib.h>

static void *
libc_alloc(void *ctx, size_t size)
{
	(void) ctx;
	return malloc(size);
}

static void
libc_free(void *ctx, void *ptr)
{
	(void) ctx;
	free(ptr);
}

const dbk_allocator dbk_libc_allocator = {libc_alloc, libc_free, NULL};
