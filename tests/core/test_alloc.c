/*
 * test_alloc.c — unit tests of the array growth every core module uses
 * (dbk_grow in core/util/dbk_alloc.h).
 */
#include <stdint.h>
#include <string.h>

#include "../../core/util/dbk_alloc.h"
#include "unit.h"

static void
test_grow(void)
{
	const dbk_allocator *a = &dbk_libc_allocator;
	size_t		cap = 0,
				n = 0;
	int		   *items = NULL,
			   *p;
	int			ok = 1;

	items = dbk_grow(a, items, n, &cap, sizeof(*items), 4);
	CHECK("alloc/grow/first", items != NULL && cap == 4);
	for (; n < 4; n++)
		items[n] = (int) n;
	p = dbk_grow(a, items, 3, &cap, sizeof(*items), 4);
	CHECK("alloc/grow/room-keeps-the-array", p == items && cap == 4);
	items = dbk_grow(a, items, n, &cap, sizeof(*items), 4);
	CHECK("alloc/grow/full-doubles", items != NULL && cap == 8);
	for (size_t i = 0; items && i < n; i++)
		ok &= items[i] == (int) i;
	CHECK("alloc/grow/elements-moved", ok);

	/* A capacity whose double overflows: NULL, and nothing changed. */
	{
		size_t		huge = SIZE_MAX / sizeof(*items) / 2 + 1;

		p = dbk_grow(a, items, huge, &huge, sizeof(*items), 4);
		CHECK("alloc/grow/overflow-refused", p == NULL && huge == SIZE_MAX / sizeof(*items) / 2 + 1);
	}
	dbk_free(a, items);
}

int
main(void)
{
	test_grow();
	return unit_exit();
}
