/*
 * sql_split.c — the streaming statement splitter; see sql_split.h.
 *
 * The rules are psql's (its lexer, src/fe_utils/psqlscan.l in PostgreSQL
 * 15): a ';' ends a statement only outside quotes and comments, at
 * parenthesis depth 0, and outside the BEGIN ... END body of a CREATE
 * [OR REPLACE] FUNCTION or PROCEDURE.  That body is found the way psql
 * finds it: when the first identifiers of the statement are CREATE
 * [OR REPLACE] FUNCTION|PROCEDURE, each BEGIN at parenthesis depth 0 opens
 * a level, CASE opens one inside a body, and END closes one.  An empty line
 * inside a statement, outside quotes and comments, is not part of the
 * statement psql sends, so it is dropped from the text handed out.  To count
 * words as psql does, the lexer reads whole tokens where a token could hide
 * one: identifiers, numbers (with PostgreSQL 15's trailing-junk rule, so
 * "1end" is not "end"), $n parameters and :name psql variables.
 *
 * The lexer state survives between feeds, so a statement may arrive in any
 * number of pieces: scanning stops where a decision needs bytes not yet
 * read (the second character of "--", a doubled quote, the end of an
 * identifier, a dollar tag) and resumes there, at the start of that token,
 * after the next feed.  Consumed bytes are dropped only by feed(), which
 * keeps the text handed out by next() valid until then.
 */
#include "sql_split.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

enum lex_state
{
	LEX_NORMAL,
	LEX_SQUOTE,					/* '...' and U&'...': '' stands for ' */
	LEX_ESTRING,				/* E'...', or '...' while standard_conforming_strings is off */
	LEX_BSTRING,				/* B'...' and X'...': the next quote ends it */
	LEX_DQUOTE,					/* "..." and U&"..." */
	LEX_DOLLAR,					/* $tag$...$tag$ */
	LEX_LINE_COMMENT,
	LEX_BLOCK_COMMENT
};

/* What lex() found. */
enum lex_found
{
	FOUND_NOTHING,				/* more input is needed */
	FOUND_STATEMENT,			/* a ';' that ends a statement, at s->scan */
	FOUND_META,					/* a meta-command line, at s->content */
	FOUND_ERROR
};

struct dbk_splitter
{
	const dbk_allocator *a;
	char	   *buf;
	size_t		len;
	size_t		cap;
	size_t		start;			/* first byte not yet handed out */
	size_t		scan;			/* where the lexer resumes */
	size_t		content;		/* first byte of the statement's content, or NO_CONTENT */
	/* blank lines psql drops from the statement (drop_blank_line) */
	size_t		gap;			/* bytes dropped so far */
	size_t		gap_from;		/* bytes from here on are not yet moved left by gap */
	size_t		max_statement;
	uint64_t	line;			/* line number at start */
	uint64_t	scan_line;		/* line number at scan */
	uint64_t	content_line;
	size_t		consume;		/* bytes handed out by the last next(), dropped on the next call */
	uint64_t	consume_lines;
	enum lex_state state;
	int			depth;			/* block comment nesting */
	size_t		tag_pos;		/* the dollar tag, both '$' included, in buf */
	size_t		taglen;
	/* psql's statement-ending rules */
	size_t		paren_depth;
	int			begin_depth;
	unsigned	ident_count;	/* identifiers so far in the statement */
	char		idents[4];		/* first letter of the first four, when CREATE, OR, ... */
	/* A string just closed that a quote may continue (see lex()). */
	enum lex_state cont_state;	/* LEX_NORMAL: no string to continue */
	bool		cont_newline;	/* a \r came after it */
	bool		cont_at_quote;	/* nothing but line ends came after it */
	/* standard_conforming_strings as psql would know it */
	bool		std_strings;
	bool		std_default;	/* on, as PostgreSQL's default: RESET returns to it */
	int			std_pending;	/* -1, or the value it takes at the next newline */
	size_t		meta_len;		/* FOUND_META: the command's length */
	bool		in_copy;
	bool		skip_line;		/* after "COPY ... FROM stdin;", the rest of its line */
	bool		finished;
};

#define NO_CONTENT ((size_t) -1)

static bool
ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A character that continues an identifier (psql: ident_cont). */
static bool
ident_char(char c)
{
	return ident_start((unsigned char) c) || is_digit(c) || c == '$';
}

/* A character of a dollar tag after its first, or of a psql variable name. */
static bool
name_char(char c)
{
	return ident_start((unsigned char) c) || is_digit(c);
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
	s->state = s->cont_state = LEX_NORMAL;
	s->std_strings = s->std_default = true;
	s->std_pending = -1;
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
		if (s->gap > 0)
			s->gap_from -= s->start;
		if (s->state == LEX_DOLLAR)
			s->tag_pos -= s->start;
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

/* The byte at i, or -1 past the input read so far. */
static int
at(const dbk_splitter *s, size_t i)
{
	return i < s->len ? (unsigned char) s->buf[i] : -1;
}

/* True when a decision needs the byte at i and more input may bring it. */
static bool
must_wait(const dbk_splitter *s, size_t i)
{
	return i >= s->len && !s->finished;
}

/* A newline passed: psql reads standard_conforming_strings once per line. */
static void
passed_newline(dbk_splitter *s)
{
	s->scan_line++;
	if (s->std_pending >= 0)
	{
		s->std_strings = s->std_pending;
		s->std_pending = -1;
	}
}

static bool
word_is(const char *w, size_t n, const char *word)
{
	return n == strlen(word) && strncasecmp(w, word, n) == 0;
}

/* True once the statement began CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
static bool
defines_routine(const dbk_splitter *s)
{
	const char *k = s->idents;

	return k[0] == 'c' &&
		(k[1] == 'f' || k[1] == 'p' || (k[1] == 'o' && k[2] == 'r' && (k[3] == 'f' || k[3] == 'p')));
}

/* The closing quote of a string: a quote after a newline would continue it. */
static void
close_string(dbk_splitter *s)
{
	s->cont_state = s->state;
	s->cont_newline = false;
	s->cont_at_quote = true;
	s->state = LEX_NORMAL;
}

/* An identifier token: psql's BEGIN/CASE/END counting. */
static void
identifier(dbk_splitter *s, const char *w, size_t n)
{
	if (s->ident_count == 0)
		memset(s->idents, 0, sizeof(s->idents));
	if (s->ident_count < sizeof(s->idents) &&
		(word_is(w, n, "create") || word_is(w, n, "function") || word_is(w, n, "procedure") ||
		 word_is(w, n, "or") || word_is(w, n, "replace")))
		s->idents[s->ident_count] = (char) (w[0] | 0x20);
	if (s->ident_count < UINT_MAX)
		s->ident_count++;
	if (s->paren_depth > 0 || !defines_routine(s))
		return;
	if (word_is(w, n, "begin"))
		s->begin_depth++;
	else if (word_is(w, n, "case"))
	{
		if (s->begin_depth >= 1)
			s->begin_depth++;	/* CASE ends with END too, inside a body */
	}
	else if (word_is(w, n, "end") && s->begin_depth > 0)
		s->begin_depth--;
}

/*
 * The end of the number starting at i (digits, a fraction, an exponent,
 * then one identifier character of trailing junk, as PostgreSQL 15 reads
 * "1e" or "1end"), or 0 when more input is needed.
 */
static size_t
number_end(const dbk_splitter *s, size_t i)
{
	size_t		j = i;

	while (is_digit(at(s, j)))
		j++;
	if (must_wait(s, j))
		return 0;
	if (at(s, j) == '.')
	{
		if (must_wait(s, j + 1))
			return 0;
		if (at(s, j + 1) != '.')	/* "1..2" is 1, "..", 2 */
		{
			j++;
			while (is_digit(at(s, j)))
				j++;
			if (must_wait(s, j))
				return 0;
		}
	}
	if (at(s, j) == 'e' || at(s, j) == 'E')
	{
		size_t		k = j + 1;

		if (at(s, k) == '+' || at(s, k) == '-')
			k++;
		if (must_wait(s, k))
			return 0;
		if (is_digit(at(s, k)))
		{
			j = k;
			while (is_digit(at(s, j)))
				j++;
			if (must_wait(s, j))
				return 0;
		}
		else if (k > j + 1)
			return j;			/* "1e+x": the number ends before the E */
	}
	if (j < s->len && ident_start((unsigned char) s->buf[j]))
		j++;
	return j;
}

/*
 * "$": a dollar quote's opening tag, a $n parameter, or a lone '$'.  Sets
 * *end to the last byte of the token; false when more input is needed.
 */
static bool
dollar(dbk_splitter *s, size_t i, size_t *end)
{
	size_t		j = i + 1;

	if (must_wait(s, j))
		return false;
	*end = i;
	if (is_digit(at(s, j)))
	{
		while (is_digit(at(s, j)))
			j++;
		if (must_wait(s, j))
			return false;
		if (j < s->len && ident_start((unsigned char) s->buf[j]))
			j++;			/* trailing junk */
		*end = j - 1;
		return true;
	}
	if (at(s, j) != '$')
	{
		if (!ident_start((unsigned char) s->buf[j]))
			return true;
		while (j < s->len && name_char(s->buf[j]))
			j++;
		if (must_wait(s, j))
			return false;
		if (at(s, j) != '$')
			return true;		/* "$name" without a closing '$': the name is read again */
	}
	s->state = LEX_DOLLAR;
	s->tag_pos = i;
	s->taglen = j - i + 1;
	*end = j;
	return true;
}

/*
 * A backslash outside quotes: psql reads a meta-command to the end of the
 * line.  Only one on a line of its own (no statement begun) is handed out;
 * in the middle of a statement it is an error, since psql would change the
 * statement's text (\; and \: put a bare ';' or ':' in) or run a command.
 */
static enum lex_found
meta_command(dbk_splitter *s, size_t i, dbk_error *err)
{
	const char *nl;
	size_t		end;

	if (s->content != NO_CONTENT)
	{
		dbk_fail(err, DBK_E_CORRUPT,
				 "the statement at line %llu holds a backslash outside quotes, which psql reads as a meta-command",
				 (unsigned long long) s->content_line);
		return FOUND_ERROR;
	}
	nl = memchr(s->buf + i, '\n', s->len - i);
	if (nl == NULL && !s->finished)
	{
		if (s->len - i > s->max_statement)
		{
			dbk_fail(err, DBK_E_CORRUPT, "the meta-command at line %llu is longer than %zu bytes",
					 (unsigned long long) s->scan_line, s->max_statement);
			return FOUND_ERROR;
		}
		s->scan = i;
		return FOUND_NOTHING;
	}
	end = nl ? (size_t) (nl - s->buf) : s->len;
	s->content = i;
	s->content_line = s->scan_line;
	s->meta_len = end - i;
	if (s->meta_len > 0 && s->buf[end - 1] == '\r')
		s->meta_len--;
	s->scan = nl ? end + 1 : end;
	if (nl)
		passed_newline(s);
	return FOUND_META;
}

/*
 * The newline at i ends an empty line inside a statement, outside quotes and
 * comments: psql skips such a line (MainLoop reads a line at a time and
 * ignores an empty one unless it is inside a literal or comment), so the
 * statement it sends lacks this newline.  It is dropped from the buffer
 * lazily: the bytes between the previous dropped newline and this one move
 * left by the count dropped so far, so every byte moves at most once; the
 * rest moves when the statement is handed out.  Bytes at and after i keep
 * their place until then, which the lexer's look-backs (the byte before a
 * newline, a dollar tag) rely on.
 */
static void
drop_blank_line(dbk_splitter *s, size_t i)
{
	if (s->gap > 0)
		memmove(s->buf + s->gap_from - s->gap, s->buf + s->gap_from, i - s->gap_from);
	s->gap++;
	s->gap_from = i + 1;
}

/* Advances the lexer from s->scan to the next statement's end or meta-command. */
static enum lex_found
lex(dbk_splitter *s, dbk_error *err)
{
	size_t		i = s->scan;

	for (; i < s->len; i++)
	{
		char		c = s->buf[i];
		int			d;
		size_t		end;

		if (c == '\n')
			passed_newline(s);
		switch (s->state)
		{
			case LEX_NORMAL:
				/*
				 * A literal continues, read as its first part was, when a
				 * quote follows it after blanks, -- comments and a newline.
				 * psql hands its lexer one line at a time without the \n,
				 * so only \r counts as that newline, and a literal closed at
				 * the very end of a line may still be continued by the next
				 * line ('a'<\n><\r>'b'); anything else ends the chance.
				 */
				if (c == ' ' || c == '\t' || c == '\f' || c == '\r')
				{
					s->cont_newline |= c == '\r';
					s->cont_at_quote = false;
					continue;
				}
				if (c == '\n')
				{
					if (!s->cont_at_quote)
						s->cont_state = LEX_NORMAL;
					if (s->content != NO_CONTENT && s->buf[i - 1] == '\n')
						drop_blank_line(s, i);
					continue;
				}
				if (c == '-' || c == '/')
				{
					if (must_wait(s, i + 1))
						goto wait;
					d = at(s, i + 1);
					if (c == '-' && d == '-')
					{
						s->state = LEX_LINE_COMMENT;
						s->cont_at_quote = false;
						i++;
						continue;
					}
					if (c == '/' && d == '*')
					{
						s->state = LEX_BLOCK_COMMENT;
						s->depth = 1;
						s->cont_state = LEX_NORMAL;
						i++;
						continue;
					}
				}
				if (c == '\\')
				{
					enum lex_found f = meta_command(s, i, err);

					if (f == FOUND_NOTHING)
						goto wait;
					return f;
				}
				if (s->content == NO_CONTENT)
				{
					s->content = i;
					s->content_line = s->scan_line;
				}
				if (c == '\'' && s->cont_state != LEX_NORMAL && s->cont_newline)
				{
					s->state = s->cont_state;
					s->cont_state = LEX_NORMAL;
					continue;
				}
				s->cont_state = LEX_NORMAL;
				switch (c)
				{
					case ';':
						if (s->paren_depth == 0 && s->begin_depth == 0)
						{
							s->scan = i;
							return FOUND_STATEMENT;
						}
						continue;
					case '(':
						s->paren_depth++;
						continue;
					case ')':
						if (s->paren_depth > 0)
							s->paren_depth--;
						continue;
					case '\'':
						s->state = s->std_strings ? LEX_SQUOTE : LEX_ESTRING;
						continue;
					case '"':
						s->state = LEX_DQUOTE;
						continue;
					case '$':
						if (!dollar(s, i, &end))
							goto wait;
						i = end;
						continue;
					case ':':
						/* "::" is a cast; ":name" a psql variable, not an identifier */
						if (must_wait(s, i + 1))
							goto wait;
						end = i + 1;
						if (at(s, end) == ':')
						{
							i = end;
							continue;
						}
						while (end < s->len && name_char(s->buf[end]))
							end++;
						if (must_wait(s, end))
							goto wait;
						i = end - 1;
						continue;
					default:
						break;
				}
				if (is_digit(c) || c == '.')
				{
					if (c == '.')
					{
						if (must_wait(s, i + 1))
							goto wait;
						if (!is_digit(at(s, i + 1)))
							continue;
					}
					end = number_end(s, c == '.' ? i + 1 : i);
					if (end == 0)
						goto wait;
					i = end - 1;
					continue;
				}
				if (ident_start((unsigned char) c))
				{
					char		lower = (char) (c | 0x20);

					if (must_wait(s, i + 1))
						goto wait;
					d = at(s, i + 1);
					if (d == '\'' && (lower == 'b' || lower == 'x' || lower == 'e'))
					{
						s->state = lower == 'e' ? LEX_ESTRING : LEX_BSTRING;
						i++;
						continue;
					}
					if (d == '\'' && lower == 'n')
						continue;	/* N'...': the quote is read as any quote */
					if (lower == 'u' && d == '&')
					{
						if (must_wait(s, i + 2))
							goto wait;
						d = at(s, i + 2);
						if (d == '\'' || d == '"')
						{
							s->state = d == '\'' ? LEX_SQUOTE : LEX_DQUOTE;
							i += 2;
						}
						continue;	/* "u&" alone is no identifier */
					}
					end = i + 1;
					while (end < s->len && ident_char(s->buf[end]))
						end++;
					if (must_wait(s, end))
						goto wait;
					identifier(s, s->buf + i, end - i);
					i = end - 1;
				}
				continue;
			case LEX_SQUOTE:
			case LEX_DQUOTE:
				{
					char		q = s->state == LEX_SQUOTE ? '\'' : '"';

					if (c != q)
						continue;
					if (must_wait(s, i + 1))
						goto wait;
					if (at(s, i + 1) == q)
						i++;	/* a doubled quote stands for itself */
					else
						close_string(s);
					continue;
				}
			case LEX_ESTRING:
				if (c == '\\')
				{
					if (must_wait(s, i + 1))
						goto wait;
					if (s->buf[i + 1] == '\n')
						passed_newline(s);
					i++;		/* the escaped byte, whatever it is */
				}
				else if (c == '\'')
				{
					if (must_wait(s, i + 1))
						goto wait;
					if (at(s, i + 1) == '\'')
						i++;
					else
						close_string(s);
				}
				continue;
			case LEX_BSTRING:
				if (c == '\'')
					close_string(s);
				continue;
			case LEX_DOLLAR:
				if (c == '$')
				{
					if (s->len - i < s->taglen && !s->finished)
						goto wait;
					if (s->len - i >= s->taglen &&
						memcmp(s->buf + i, s->buf + s->tag_pos, s->taglen) == 0)
					{
						s->state = LEX_NORMAL;
						i += s->taglen - 1;
					}
				}
				continue;
			case LEX_LINE_COMMENT:
				/* psql ends a comment at \r as at \n */
				if (c == '\r')
				{
					s->state = LEX_NORMAL;
					s->cont_newline = true;
				}
				else if (c == '\n')
				{
					s->state = LEX_NORMAL;
					s->cont_state = LEX_NORMAL;
				}
				continue;
			case LEX_BLOCK_COMMENT:
				if ((c == '/' || c == '*') && must_wait(s, i + 1))
					goto wait;
				d = at(s, i + 1);
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
	return FOUND_NOTHING;
wait:
	/* Undo the line count of the byte we will see again. */
	if (s->buf[i] == '\n')
		s->scan_line--;
	s->scan = i;
	return FOUND_NOTHING;
}

/* The next word of a statement: a run of identifier characters, a '...' literal's content, or one byte. */
static bool
next_word(const char *p, size_t n, size_t *pos, const char **w, size_t *wl)
{
	size_t		i = *pos,
				j;

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r' || p[i] == '\f'))
		i++;
	if (i >= n)
		return false;
	j = i + 1;
	if (p[i] == '\'')
	{
		while (j < n && p[j] != '\'')
			j++;
		if (j >= n)
			return false;
		*w = p + i + 1;
		*wl = j - i - 1;
		*pos = j + 1;
		return true;
	}
	if (ident_char(p[i]))
		while (j < n && ident_char(p[j]))
			j++;
	*w = p + i;
	*wl = j - i;
	*pos = j;
	return true;
}

/* PostgreSQL's spellings of a boolean (parse_bool): 1 true, 0 false, -1 neither. */
static int
parse_bool(const char *w, size_t n)
{
	if (n == 0)
		return -1;
	if ((n <= 4 && strncasecmp(w, "true", n) == 0) || (n <= 3 && strncasecmp(w, "yes", n) == 0) ||
		(n == 2 && strncasecmp(w, "on", n) == 0) || (n == 1 && w[0] == '1'))
		return 1;
	if ((n <= 5 && strncasecmp(w, "false", n) == 0) || (n <= 2 && strncasecmp(w, "no", n) == 0) ||
		(n >= 2 && n <= 3 && strncasecmp(w, "off", n) == 0) || (n == 1 && w[0] == '0'))
		return 0;
	return -1;
}

/*
 * When the statement sets standard_conforming_strings ("SET [SESSION |
 * LOCAL] standard_conforming_strings {TO | =} value", "RESET ..." or
 * "RESET ALL"), the value it gives; -1 otherwise.  psql learns the new value
 * from the server after the statement ran and reads the lines after it
 * accordingly.
 */
static int
sets_standard_strings(const dbk_splitter *s, const char *p, size_t n)
{
	size_t		pos = 0,
				wl;
	const char *w;
	int			value;

	if (!next_word(p, n, &pos, &w, &wl))
		return -1;
	if (word_is(w, wl, "reset"))
	{
		if (!next_word(p, n, &pos, &w, &wl) ||
			!(word_is(w, wl, "standard_conforming_strings") || word_is(w, wl, "all")))
			return -1;
		value = s->std_default;
	}
	else
	{
		if (!word_is(w, wl, "set") || !next_word(p, n, &pos, &w, &wl))
			return -1;
		if ((word_is(w, wl, "session") || word_is(w, wl, "local")) && !next_word(p, n, &pos, &w, &wl))
			return -1;
		if (!word_is(w, wl, "standard_conforming_strings") || !next_word(p, n, &pos, &w, &wl) ||
			!(word_is(w, wl, "to") || word_is(w, wl, "=")) || !next_word(p, n, &pos, &w, &wl))
			return -1;
		value = word_is(w, wl, "default") ? s->std_default : parse_bool(w, wl);
	}
	if (!next_word(p, n, &pos, &w, &wl) || !word_is(w, wl, ";"))
		return -1;
	return value;
}

/*
 * After "COPY ... FROM stdin;" psql reads the data from the next line; the
 * rest of the statement's line may hold only blanks and a -- comment (psql
 * would run anything else after the data, out of the file's order).
 */
static int
skip_copy_line(dbk_splitter *s, dbk_split_event *ev, dbk_error *err)
{
	const char *p = s->buf + s->start;
	const char *nl = memchr(p, '\n', s->len - s->start);
	size_t		n = nl ? (size_t) (nl - p) : s->len - s->start;

	if (nl == NULL && !s->finished)
	{
		if (n > s->max_statement)
			return dbk_fail(err, DBK_E_CORRUPT, "the line of the COPY statement at line %llu is longer than %zu bytes",
							(unsigned long long) s->line, s->max_statement);
		*ev = DBK_SPLIT_MORE;
		return 1;
	}
	for (size_t i = 0; i < n && !(p[i] == '-' && i + 1 < n && p[i + 1] == '-'); i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\f')
			return dbk_fail(err, DBK_E_CORRUPT,
							"line %llu holds text after a COPY ... FROM stdin statement, where its data must begin on the next line",
							(unsigned long long) s->line);
	s->consume = nl ? n + 1 : n;
	s->consume_lines = nl ? 1 : 0;
	consume_pending(s);
	s->scan = s->start;
	s->scan_line = s->line;
	s->skip_line = false;
	return 0;
}

int
dbk_splitter_next(dbk_splitter *s, dbk_split_event *ev, const char **text, size_t *len,
				  uint64_t *line, dbk_error *err)
{
	enum lex_found found;

	consume_pending(s);
	if (s->scan < s->start)
	{
		/* COPY data was handed out: the lexer resumes after it. */
		s->scan = s->start;
		s->scan_line = s->line;
	}
	if (s->skip_line)
	{
		int			r = skip_copy_line(s, ev, err);

		if (r != 0)
			return r > 0 ? 0 : -1;
	}
	if (s->in_copy)
		return next_copy(s, ev, text, len, line, err);

	found = lex(s, err);
	if (found == FOUND_ERROR)
		return -1;
	if (found == FOUND_META)
	{
		*ev = DBK_SPLIT_META;
		*text = s->buf + s->content;
		*len = s->meta_len;
		*line = s->content_line;
		s->consume = s->scan - s->start;
		s->consume_lines = s->scan_line - s->line;
		s->content = NO_CONTENT;
		return 0;
	}
	if (found == FOUND_STATEMENT)
	{
		int			std;

		*ev = DBK_SPLIT_STATEMENT;
		*text = s->buf + s->content;
		*len = s->scan - s->content + 1;
		if (s->gap > 0)
		{
			memmove(s->buf + s->gap_from - s->gap, s->buf + s->gap_from, s->scan + 1 - s->gap_from);
			*len -= s->gap;
			s->gap = 0;
		}
		*line = s->content_line;
		s->consume = s->scan + 1 - s->start;
		s->consume_lines = s->scan_line - s->line;
		s->scan++;
		s->content = NO_CONTENT;
		s->ident_count = 0;
		if ((std = sets_standard_strings(s, *text, *len)) >= 0)
			s->std_pending = std;
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
