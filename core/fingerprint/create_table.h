/*
 * create_table.h — SQLite's stored CREATE statements read for the schema
 * fingerprint: what a CREATE TABLE text says that no pragma tells, and the
 * canonical text of indexes, views and triggers.
 *
 * The parser follows SQLite's grammar (parse.y: carglist, ccons, tcons,
 * refargs, onconf) over the tokens of core/sql_tokens.c.  It has no caps:
 * every column and constraint is read, however many there are, and text it
 * cannot read (a clause outside that grammar, a group that never closes)
 * is an error, never a shortened description.
 *
 * What is folded, because SQLite treats the spellings alike:
 *   - ON CONFLICT ABORT is the default and is left out;
 *   - a double-quoted word in a CHECK or generated expression that names no
 *     column of the table is the string it spells (SQLite's "double-quoted
 *     string" rule, and its own rewrite of such text after a rename);
 *   - a DEFAULT that is one bare or quoted word is the string it spells,
 *     case kept (except NULL, TRUE, FALSE and CURRENT_*);
 *   - AUTOINCREMENT on the column or inside PRIMARY KEY(...) is one flag;
 *   - MATCH and ON INSERT clauses of foreign keys, which SQLite ignores, are
 *     left out; only DEFERRABLE INITIALLY DEFERRED makes a key deferred;
 *   - an index key's COLLATE equal to its column's is left out, so is ASC;
 *   - a trigger's FOR EACH ROW (SQLite has no other kind) is left out.
 * Every string here comes from the caller's allocator.
 */
#ifndef DBK_CREATE_TABLE_H
#define DBK_CREATE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/dbk_alloc.h"
#include "../util/error.h"

/* One key of a PRIMARY KEY: column, effective collation (NULL for binary), order. */
typedef struct dbk_ct_key
{
	char	   *name;			/* canonical identifier */
	char	   *collate;		/* canonical, NULL when BINARY */
	bool		desc;
} dbk_ct_key;

typedef struct dbk_ct_column
{
	char	   *name;			/* canonical identifier */
	char	   *collate;		/* canonical, NULL when none or BINARY */
	char	   *generated;		/* "<expression>" normalised, or NULL */
	char	   *notnull_conflict;	/* "rollback", "fail", "ignore", "replace" or NULL */
} dbk_ct_column;

typedef struct dbk_create_table
{
	const dbk_allocator *a;
	dbk_ct_column *cols;
	size_t		ncols;
	size_t		capcols;
	dbk_ct_key *pk;				/* the primary key's columns in key order */
	size_t		npk;
	size_t		cappk;
	char	   *pk_conflict;	/* as notnull_conflict */
	bool		pk_on_column_desc;	/* "<col> ... PRIMARY KEY DESC": never a rowid alias */
	bool		autoincrement;
	/*
	 * "unique(<key>, ...)[ on conflict <r>]", "check(<e>)" and "foreign
	 * key(<cols>) references <t>[(<cols>)] on update <a> on delete
	 * <a>[ deferrable initially deferred]", sorted, duplicates removed.
	 */
	char	  **clauses;
	size_t		nclauses;
	size_t		capclauses;
	bool		without_rowid;
	bool		strict;
} dbk_create_table;

/*
 * Parses len bytes of a CREATE TABLE statement into out (initialised here;
 * free with dbk_create_table_free, also after a failure).  Text that is not
 * a CREATE TABLE with a column list gives an empty description.
 */
int			dbk_create_table_parse(const dbk_allocator *a, const char *sql, size_t len,
								   dbk_create_table *out, dbk_error *err);
void		dbk_create_table_free(dbk_create_table *t);

/* The column whose canonical name is name, or NULL. */
const dbk_ct_column *dbk_create_table_column(const dbk_create_table *t, const char *name);

/*
 * The canonical form of a column's DEFAULT as pragma table_xinfo gives it
 * (dflt_value): normalised, a lone word made the string it spells.
 */
int			dbk_ct_default(const dbk_allocator *a, const char *dflt, char **out, dbk_error *err);

/*
 * "[unique ]on <table>(<key>, ...)[ where <e>]" for a CREATE INDEX text;
 * table is the canonical name of the indexed table, columns its parsed
 * CREATE TABLE (NULL when unknown: COLLATE clauses are then kept as written).
 */
int			dbk_ct_index(const dbk_allocator *a, const char *sql, size_t len, const char *table,
						 const dbk_create_table *columns, char **out, dbk_error *err);

/*
 * The normalised text after "CREATE ... <what> [IF NOT EXISTS] name" of a
 * view ("view"), trigger ("trigger") or virtual table ("table").
 */
int			dbk_ct_text(const dbk_allocator *a, const char *sql, size_t len, const char *what,
						char **out, dbk_error *err);

#endif
