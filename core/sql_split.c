/*
 * sql_split.c — the streaming statement splitter; see sql_split.h.
 *
 * The lexer state survives between feeds, so a statement may arrive in any
 * number of pieces: scanning stops where a decision needs bytes not yet
 * read (the second character of "--", "/" + "*", a doubled quote, a dollar tag) and resumes
 * there after the next feed.  Consumed bytes are dropped only by feed(),
 * which keeps the text handed out by next() valid until then.
 */
#include "sql_split.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum lex_state
{
	LEX_NORMAL,
	LEX_SQUOTE,					/* '...' */
	LEX_ESTRING,				/* E'...' with backslash escapes */
	LEX_DQUOTE,					/* "..." */
	LEX_DOLLAR,					/* $tag$...$tag$ */
	LEX_LINE_COMMENT,
	LEX_BLOCK_COMMENT
};

struct dbk_splitter
{
	const dbk_allocator *a;
	char	   *buf;
	size_t		len;
	size_t		cap;
	size_t		start;			/* first byte not yet handed out */
	size_t		scan;			/* where the lexer resumes */
	size_t		content;		/* first byte of the statement's content, or SIZE_MAX */
	size_t		max_statement;
	uint64_t	line;			/* line number at start */
	uint64_t	scan_line;		/* line number at scan */
	uint64_t	content_line;
	size_t		consume;		/* bytes handed out by the last next(), dropped on the next call */
	uint64_t	consume_lines;
	enum lex_state state;
	int			depth;			/* block comment nesting */
	char		tag[66];		/* the dollar tag, both '$' included */
	size_t		taglen;
	bool		in_copy;
	bool		skip_line;		/* after "COPY ... FROM stdin;", the rest of its line */
	bool		finished;
};

#define NO_CONTENT ((size_t) -1)

static bool
ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '_' || c == '$' || (unsigned char) c >= 0x80;
}

dbk_splitter *
dbk_splitter_new(const dbk_allocator *a, size_t max_statement, dbk_error *err)
{
	dbk_splitter *s = dbk_alloc(a, sizeof(*s));

	if (s == NULL)
	{
		dbk_fail(err, DBK_E_NOMEM, "out of memory");
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->max_statement = max_statement;
	s->line = s->scan_line = 1;
	s->content = NO_CONTENT;
	return s;
}

void
dbk_splitter_free(dbk_splitter *s)
{
	if (s == NULL)
		return;
	dbk_free(s->a, s->buf);
	dbk_free(s->a, s);
}

/* Drops what the last next() handed out. */
static void
consume_pending(dbk_splitter *s)
{
	s->start += s->consume;
	s->line += s->consume_lines;
	s->consume = 0;
	s->consume_lines = 0;
}

int
dbk_splitter_feed(dbk_splitter *s, const char *data, size_t len, dbk_error *err)
{
	consume_pending(s);
	if (s->start > 0)
	{
		memmove(s->buf, s->buf + s->start, s->len - s->start);
		s->len -= s->start;
		s->scan -= s->start;
		if (s->content != NO_CONTENT)
			s->content -= s->start;
		s->start = 0;
	}
	if (s->len + len > s->cap)
	{
		size_t		cap = s->cap ? s->cap : 65536;
		char	   *nb;

		while (cap < s->len + len)
			cap *= 2;
		nb = dbk_alloc(s->a, cap);
		if (nb == NULL)
			return dbk_fail(err, DBK_E_NOMEM, "out of memory splitting the script");
		if (s->len)
			memcpy(nb, s->buf, s->len);
		dbk_free(s->a, s->buf);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

void
dbk_splitter_finish(dbk_splitter *s)
{
	s->finished = true;
}

static uint64_t
count_lines(const char *p, size_t n)
{
	uint64_t	lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* COPY mode: hands out whole data lines, then the "\." line. */
static int
next_copy(dbk_splitter *s, dbk_split_event *ev, const char **text, size_t *len,
		  uint64_t *line, dbk_error *err)
{
	size_t		pos = s->start;

	while (pos < s->len)
	{
		const char *nl = memchr(s->buf + pos, '\n', s->len - pos);
		size_t		end = nl ? (size_t) (nl - s->buf) + 1 : s->len;
		size_t		n = end - pos;
		bool		terminator = (n == 3 && memcmp(s->buf + pos, "\\.\n", 3) == 0) ||
			(n == 4 && memcmp(s->buf + pos, "\\.\r\n", 4) == 0) ||
			(nl == NULL && s->finished && n == 2 && memcmp(s->buf + pos, "\\.", 2) == 0);

		if (nl == NULL && !terminator)
			break;				/* an incomplete line */
		if (terminator)
		{
			if (pos > s->start)
				break;			/* hand out the data before it first */
			s->consume = n;
			s->consume_lines = nl ? 1 : 0;
			s->in_copy = false;
			*ev = DBK_SPLIT_COPY_END;
			*text = s->buf + pos;
			*len = n;
			*line = s->line;
			return 0;
		}
		pos = end;
	}
	if (pos > s->start)
	{
		*ev = DBK_SPLIT_COPY_DATA;
		*text = s->buf + s->start;
		*len = pos - s->start;
		*line = s->line;
		s->consume = *len;
		s->consume_lines = count_lines(*text, *len);
		return 0;
	}
	if (s->len - s->start > s->max_statement)
		return dbk_fail(err, DBK_E_CORRUPT, "a line of COPY data at line %llu is longer than %zu bytes",
						(unsigned long long) s->line, s->max_statement);
	if (s->finished)
		return dbk_fail(err, DBK_E_CORRUPT, "the script ends inside COPY data (line %llu) without its \"\\.\" line",
						(unsigned long long) s->line);
	*ev = DBK_SPLIT_MORE;
	return 0;
}

/*
 * Tries to read a dollar tag at i ("$" or "$name$"); 1 found (tag stored),
 * 0 not a tag, -1 undecided until more input arrives.
 */
static int
read_dollar_tag(dbk_splitter *s, size_t i)
{
	size_t		j = i + 1;

	if (i > s->start && ident_char(s->buf[i - 1]))
		return 0;				/* inside an identifier such as a$b */
	while (j < s->len && j - i < sizeof(s->tag) - 1)
	{
		char		c = s->buf[j];

		if (c == '$')
		{
			s->taglen = j - i + 1;
			memcpy(s->tag, s->buf + i, s->taglen);
			return 1;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char) c >= 0x80 ||
			  (j > i + 1 && c >= '0' && c <= '9')))
			return 0;
		j++;
	}
	return (j >= s->len && !s->finished) ? -1 : 0;
}

/* Advances the lexer from s->scan; true when a ';' ended a statement at s->scan. */
static bool
lex(dbk_splitter *s)
{
	size_t		i = s->scan;

	for (; i < s->len; i++)
	{
		char		c = s->buf[i];
		bool		more = i + 1 < s->len;
		char		d = more ? s->buf[i + 1] : '\0';
		bool		need = !more && !s->finished;	/* a decision needs the next byte */

		if (c == '\n')
			s->scan_line++;
		switch (s->state)
		{
			case LEX_NORMAL:
				if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
					continue;
				if ((c == '-' || c == '/') && need)
					goto wait;
				if (c == '-' && d == '-')
				{
					s->state = LEX_LINE_COMMENT;
					i++;
					continue;
				}
				if (c == '/' && d == '*')
				{
					s->state = LEX_BLOCK_COMMENT;
					s->depth = 1;
					i++;
					continue;
				}
				if (s->content == NO_CONTENT)
				{
					s->content = i;
					s->content_line = s->scan_line;
				}
				if (c == ';')
				{
					s->scan = i;
					return true;
				}
				if (c == '\'')
					s->state = (i > s->start && (s->buf[i - 1] == 'E' || s->buf[i - 1] == 'e') &&
								!(i - 1 > s->start && ident_char(s->buf[i - 2])))
						? LEX_ESTRING : LEX_SQUOTE;
				else if (c == '"')
					s->state = LEX_DQUOTE;
				else if (c == '$')
				{
					int			r = read_dollar_tag(s, i);

					if (r < 0)
						goto wait;
					if (r > 0)
					{
						s->state = LEX_DOLLAR;
						i += s->taglen - 1;
					}
				}
				continue;
			case LEX_SQUOTE:
			case LEX_DQUOTE:
				{
					char		q = s->state == LEX_SQUOTE ? '\'' : '"';

					if (c != q)
						continue;
					if (need)
						goto wait;
					if (d == q)
						i++;	/* a doubled quote stands for itself */
					else
						s->state = LEX_NORMAL;
					continue;
				}
			case LEX_ESTRING:
				if (c == '\\' || c == '\'')
				{
					if (need)
						goto wait;
					if (c == '\\' || d == '\'')
					{
						if (d == '\n')
							s->scan_line++;
						i++;
					}
					else
						s->state = LEX_NORMAL;
				}
				continue;
			case LEX_DOLLAR:
				if (c == '$')
				{
					if (s->len - i < s->taglen && !s->finished)
						goto wait;
					if (s->len - i >= s->taglen && memcmp(s->buf + i, s->tag, s->taglen) == 0)
					{
						s->state = LEX_NORMAL;
						i += s->taglen - 1;
					}
				}
				continue;
			case LEX_LINE_COMMENT:
				if (c == '\n')
					s->state = LEX_NORMAL;
				continue;
			case LEX_BLOCK_COMMENT:
				if ((c == '/' || c == '*') && need)
					goto wait;
				if (c == '/' && d == '*')
				{
					s->depth++;
					i++;
				}
				else if (c == '*' && d == '/')
				{
					i++;
					if (--s->depth == 0)
						s->state = LEX_NORMAL;
				}
				continue;
		}
	}
	s->scan = i;
	return false;
wait:
	/* Undo the line count of the byte we will see again. */
	if (s->buf[i] == '\n')
		s->scan_line--;
	s->scan = i;
	return false;
}

int
dbk_splitter_next(dbk_splitter *s, dbk_split_event *ev, const char **text, size_t *len,
				  uint64_t *line, dbk_error *err)
{
	consume_pending(s);
	if (s->scan < s->start)
	{
		/* COPY data was handed out: the lexer resumes after it. */
		s->scan = s->start;
		s->scan_line = s->line;
	}
	if (s->skip_line)
	{
		const char *nl = memchr(s->buf + s->start, '\n', s->len - s->start);

		if (nl == NULL && !s->finished)
		{
			*ev = DBK_SPLIT_MORE;
			return 0;
		}
		/* The rest of the COPY statement's line: whitespace only. */
		s->consume = nl ? (size_t) (nl - (s->buf + s->start)) + 1 : s->len - s->start;
		s->consume_lines = nl ? 1 : 0;
		consume_pending(s);
		s->scan = s->start;
		s->scan_line = s->line;
		s->skip_line = false;
	}
	if (s->in_copy)
		return next_copy(s, ev, text, len, line, err);

	if (lex(s))
	{
		*ev = DBK_SPLIT_STATEMENT;
		*text = s->buf + s->content;
		*len = s->scan - s->content + 1;
		*line = s->content_line;
		s->consume = s->scan + 1 - s->start;
		s->consume_lines = s->scan_line - s->line;
		s->scan++;
		s->content = NO_CONTENT;
		if (dbk_sql_is_copy_from_stdin(*text, *len))
		{
			s->in_copy = true;
			s->skip_line = true;
		}
		return 0;
	}
	if (s->content != NO_CONTENT && s->len - s->content > s->max_statement)
		return dbk_fail(err, DBK_E_CORRUPT, "the statement at line %llu is longer than %zu bytes",
						(unsigned long long) s->content_line, s->max_statement);
	if (!s->finished)
	{
		*ev = DBK_SPLIT_MORE;
		return 0;
	}
	if (s->content != NO_CONTENT || (s->state != LEX_NORMAL && s->state != LEX_LINE_COMMENT))
		return dbk_fail(err, DBK_E_CORRUPT, "the script ends inside the statement at line %llu",
						(unsigned long long) (s->content != NO_CONTENT ? s->content_line : s->scan_line));
	s->consume = s->len - s->start;
	*ev = DBK_SPLIT_END;
	return 0;
}

static bool
word_at_end(const char *stmt, size_t *n, const char *word)
{
	size_t		w = strlen(word);

	if (*n < w || strncasecmp(stmt + *n - w, word, w) != 0)
		return false;
	if (*n > w && ident_char(stmt[*n - w - 1]))
		return false;
	*n -= w;
	return true;
}

int
dbk_sql_is_copy_from_stdin(const char *stmt, size_t len)
{
	size_t		n = len;

	if (len < 4 || strncasecmp(stmt, "copy", 4) != 0 || (len > 4 && ident_char(stmt[4])))
		return 0;
	while (n > 0 && (stmt[n - 1] == ';' || stmt[n - 1] == ' ' || stmt[n - 1] == '\t' ||
					 stmt[n - 1] == '\n' || stmt[n - 1] == '\r'))
		n--;
	if (!word_at_end(stmt, &n, "stdin"))
		return 0;
	while (n > 0 && (stmt[n - 1] == ' ' || stmt[n - 1] == '\t' || stmt[n - 1] == '\n'))
		n--;
	return word_at_end(stmt, &n, "from");
}
