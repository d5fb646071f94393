/*
 * fuzz_split.c — libFuzzer target for the statement splitter
 * (core/restore/sql_split.c): a differential test.  Whatever the input, feeding it
 * whole, one byte at a time, or in chunks of 5 must give the same events
 * (or the same error), and nothing may crash or leak.
 */
#include "../core/split_events.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *whole = split_events((const char *) data, size, 0, 4096);
	char	   *bytes = split_events((const char *) data, size, 1, 4096);
	char	   *fives = split_events((const char *) data, size, 5, 4096);

	if (strcmp(whole, bytes) != 0 || strcmp(whole, fives) != 0)
	{
		fprintf(stderr, "whole: %s\nbytes: %s\nfives: %s\n", whole, bytes, fives);
		abort();
	}
	free(whole);
	free(bytes);
	free(fives);
	return 0;
}
