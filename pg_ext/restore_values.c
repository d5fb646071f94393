/*
 * restore_values.c — date, timestamp and timestamptz values of a backup's
 * COPY rows converted without the general date parser, for restore_load.c.
 *
 * A backup writes these types with DateStyle ISO (backup.c sets it, as
 * pg_dump does): "2026-12-06", "2026-12-06 15:30:07.25" and
 * "2026-12-06 15:30:07.25+01", the offset east of UTC as +HH, +HH:MM or
 * +HH:MM:SS and the fraction without trailing zeros (timestamptz_out).
 * date_in, timestamp_in and timestamptz_in read them through
 * ParseDateTime and DecodeDateTime, which accept every DateStyle, keywords,
 * time zone names and abbreviations; on a restore of clinical records
 * (docs/performance.md) that was the largest part of the input functions'
 * time.  A field of exactly the form above, with a year of 4 digits from
 * 0001 to 9999, a day that exists in its month, hours 00-23, minutes and
 * seconds 00-59, at most 6 fractional digits (and no more than the
 * column's precision, so that nothing is rounded) and an offset of at most
 * 15 hours, is converted here with the arithmetic of tm2timestamp and
 * date_in (PostgreSQL 15, src/backend/utils/adt/timestamp.c, date.c,
 * datetime.c): the same Datum.  Anything else (BC, infinity, a year past
 * 9999, 24:00:00, a leap second, a timestamptz without an offset, which
 * would take the session's time zone, spaces) goes through the input
 * function as before, which also raises any error.  None of this depends on
 * the session's DateStyle or TimeZone.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "restore_values.h"

/* the two digits at p as a number, or -1 */
static inline int
two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static inline bool
is_leap(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* "YYYY-MM-DD" at s (10 bytes) as days since 2000-01-01; false if not one */
static bool
read_date(const char *s, int *days)
{
	static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			hi = two_digits(s),
				lo = two_digits(s + 2),
				year,
				month,
				day;

	if (hi < 0 || lo < 0 || s[4] != '-' || s[7] != '-')
		return false;
	year = hi * 100 + lo;
	month = two_digits(s + 5);
	day = two_digits(s + 8);
	if (year < 1 || month < 1 || month > 12 || day < 1 ||
		day > month_days[month - 1] + (month == 2 && is_leap(year)))
		return false;
	*days = date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
	return true;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.f]" at s as a timestamp; *used is its length.  At
 * most max_digits fractional digits.
 */
static bool
read_timestamp(const char *s, size_t len, int max_digits, Timestamp *out, size_t *used)
{
	int			days,
				hour,
				minute,
				second,
				digits = 0;
	int64		frac = 0;
	size_t		i = 19;

	if (len < 19 || !read_date(s, &days) || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return false;
	hour = two_digits(s + 11);
	minute = two_digits(s + 14);
	second = two_digits(s + 17);
	if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
		return false;
	if (i < len && s[i] == '.')
	{
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		{
			if (++digits > max_digits)
				return false;
			frac = frac * 10 + (s[i] - '0');
		}
		if (digits == 0)
			return false;
		for (int d = digits; d < 6; d++)
			frac *= 10;
	}
	*out = (int64) days * USECS_PER_DAY +
		(((int64) hour * MINS_PER_HOUR + minute) * SECS_PER_MINUTE + second) * USECS_PER_SEC + frac;
	*used = i;
	return true;
}

/* "+HH", "+HH:MM" or "+HH:MM:SS" (or "-"), exactly s[0..len), as seconds east of UTC */
static bool
read_offset(const char *s, size_t len, int *east)
{
	int			hour,
				minute = 0,
				second = 0;

	if ((len != 3 && len != 6 && len != 9) || (s[0] != '+' && s[0] != '-'))
		return false;
	hour = two_digits(s + 1);
	if (len >= 6 && (s[3] != ':' || (minute = two_digits(s + 4)) < 0))
		return false;
	if (len == 9 && (s[6] != ':' || (second = two_digits(s + 7)) < 0))
		return false;
	if (hour < 0 || hour > MAX_TZDISP_HOUR || minute > 59 || second > 59)
		return false;
	*east = (hour * MINS_PER_HOUR + minute) * SECS_PER_MINUTE + second;
	if (s[0] == '-')
		*east = -*east;
	return true;
}

bool
dbk_fast_value_type(Oid typid)
{
	return typid == DATEOID || typid == TIMESTAMPOID || typid == TIMESTAMPTZOID;
}

bool
dbk_fast_value(Oid typid, int32 typmod, const char *s, size_t len, Datum *out)
{
	/* a typmod is the precision: 0 to 6 fractional digits kept */
	int			max_digits = typmod < 0 ? 6 : Min(typmod, 6);
	Timestamp	ts;
	size_t		used;
	int			days,
				east;

	switch (typid)
	{
		case DATEOID:
			if (len != 10 || !read_date(s, &days))
				return false;
			*out = DateADTGetDatum((DateADT) days);
			return true;
		case TIMESTAMPOID:
			if (!read_timestamp(s, len, max_digits, &ts, &used) || used != len)
				return false;
			*out = TimestampGetDatum(ts);
			return true;
		case TIMESTAMPTZOID:
			if (!read_timestamp(s, len, max_digits, &ts, &used) ||
				!read_offset(s + used, len - used, &east))
				return false;
			*out = TimestampTzGetDatum(ts - (int64) east * USECS_PER_SEC);
			return true;
		default:
			return false;
	}
}
