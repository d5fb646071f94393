/*
 * unit.h — the smallest test harness for the core's unit tests.
 *
 * Each check prints "PASS core/<id>" or "FAIL core/<id> (<file>:<line>: <expr>)";
 * tests/run-all.sh counts those lines.  A test program returns unit_exit().
 */
#ifndef DBK_UNIT_H
#define DBK_UNIT_H

#include <stdio.h>

static int	unit_failures;

#define CHECK(id, cond) \
	do { \
		if (cond) \
			printf("PASS core/%s\n", (id)); \
		else \
		{ \
			unit_failures++; \
			printf("FAIL core/%s (%s:%d: %s)\n", (id), __FILE__, __LINE__, #cond); \
		} \
		fflush(stdout); \
	} while (0)

static inline int
unit_exit(void)
{
	return unit_failures ? 1 : 0;
}

#endif
