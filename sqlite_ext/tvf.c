/*
 * tvf.c — the one implementation of dbkeeper's SQLite table-valued functions
 * (dbkeeper_backups, dbkeeper_schema, dbkeeper_schema_diff,
 * dbkeeper_codelist_status, dbkeeper_codelist_changes): the virtual-table
 * callbacks SQLite requires, around a feature's filter and column functions
 * (dbk_tvf_def in dbk_sqlite.h).  PostgreSQL's adapter does the same with
 * InitMaterializedSRF.
 *
 * Every table is eponymous only (no CREATE VIRTUAL TABLE), read-only, and
 * SQLITE_VTAB_DIRECTONLY: a view or trigger in an untrusted database cannot
 * call it.  A scan computes all its rows in xFilter; the cursor then walks
 * them.  The argument, where there is one, is an equality on a HIDDEN
 * column: dbkeeper_codelist_status('v1') is
 * "... WHERE version = 'v1'".  A plan that could give it only later (a join
 * order that binds it from another table) is refused with
 * SQLITE_CONSTRAINT, so SQLite picks one that gives it at once.
 */
#include "dbk_sqlite.h"

SQLITE_EXTENSION_INIT3

#include <string.h>

/* What registration hands every connect (the module's client data). */
typedef struct tvf_module
{
	const dbk_tvf_def *def;
	void	   *aux;
	void		(*aux_free) (void *);
} tvf_module;

static void
module_free(void *p)
{
	tvf_module *m = p;

	if (m->aux_free)
		m->aux_free(m->aux);
	sqlite3_free(m);
}

static int
tvf_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
			char **errmsg)
{
	const tvf_module *m = aux;
	size_t		size = m->def->vtab_size ? m->def->vtab_size : sizeof(dbk_tvf);
	dbk_tvf    *vt;
	int			rc;

	(void) argc;
	(void) argv;
	(void) errmsg;
	rc = sqlite3_declare_vtab(db, m->def->declare);
	if (rc != SQLITE_OK)
		return rc;
	if ((vt = sqlite3_malloc64(size)) == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, size);
	vt->db = db;
	vt->def = m->def;
	vt->aux = m->aux;
	sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
	*out = &vt->base;
	return SQLITE_OK;
}

/*
 * SQLite disconnects every virtual table, eponymous ones included, before
 * sqlite3_close checks for unfinalized statements: a statement a feature
 * keeps in its table must be finalized here, not in the module's destructor.
 */
static int
tvf_disconnect(sqlite3_vtab *base)
{
	dbk_tvf    *vt = (dbk_tvf *) base;

	if (vt->def->disconnect)
		vt->def->disconnect(vt);
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int
tvf_best_index(sqlite3_vtab *base, sqlite3_index_info *info)
{
	const dbk_tvf_def *def = ((dbk_tvf *) base)->def;
	bool		unusable = false;

	info->idxNum = 0;
	for (int i = 0; def->arg_column >= 0 && i < info->nConstraint; i++)
	{
		const struct sqlite3_index_constraint *c = &info->aConstraint[i];

		if (c->iColumn != def->arg_column || c->op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (!c->usable)
		{
			unusable = true;
			continue;
		}
		info->aConstraintUsage[i].argvIndex = 1;
		info->aConstraintUsage[i].omit = 1;
		info->idxNum = 1;
		info->estimatedCost = 1000;
		info->estimatedRows = (sqlite3_int64) def->rows;
		return SQLITE_OK;
	}
	if (unusable)
		return SQLITE_CONSTRAINT;	/* try another join order */
	info->estimatedCost = def->arg_required ? 1e12 : 1000;
	info->estimatedRows = (sqlite3_int64) def->rows;
	return SQLITE_OK;
}

static int
tvf_open(sqlite3_vtab *base, sqlite3_vtab_cursor **out)
{
	const dbk_tvf_def *def = ((dbk_tvf *) base)->def;
	size_t		size = def->cursor_size ? def->cursor_size : sizeof(dbk_tvf_cursor);
	dbk_tvf_cursor *c = sqlite3_malloc64(size);

	if (c == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, size);
	if (def->open)
		def->open(c);
	*out = &c->base;
	return SQLITE_OK;
}

static void
cursor_clear(dbk_tvf_cursor *c)
{
	const dbk_tvf_def *def = ((dbk_tvf *) c->base.pVtab)->def;

	if (def->clear)
		def->clear(c);
	c->n = c->row = 0;
}

static int
tvf_close(sqlite3_vtab_cursor *cur)
{
	cursor_clear((dbk_tvf_cursor *) cur);
	sqlite3_free(cur);
	return SQLITE_OK;
}

/* An error of a scan, in the words dbk_sqlite_result_error uses. */
static int
tvf_error(sqlite3_vtab *vt, const dbk_error *err)
{
	sqlite3_free(vt->zErrMsg);
	vt->zErrMsg = sqlite3_mprintf("%s%s%s%s%s", err->message, err->detail[0] ? "\nDETAIL: " : "",
								  err->detail, err->hint[0] ? "\nHINT: " : "", err->hint);
	return err->kind == DBK_E_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static int
tvf_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc, sqlite3_value **argv)
{
	dbk_tvf_cursor *c = (dbk_tvf_cursor *) cur;
	const dbk_tvf_def *def = ((dbk_tvf *) cur->pVtab)->def;
	const char *arg = idx == 1 && argc > 0 ? (const char *) sqlite3_value_text(argv[0]) : NULL;
	dbk_error	err;

	(void) idxstr;
	cursor_clear(c);
	if (def->filter(c, arg, &err) != 0)
	{
		cursor_clear(c);
		return tvf_error(cur->pVtab, &err);
	}
	return SQLITE_OK;
}

static int
tvf_next(sqlite3_vtab_cursor *cur)
{
	((dbk_tvf_cursor *) cur)->row++;
	return SQLITE_OK;
}

static int
tvf_eof(sqlite3_vtab_cursor *cur)
{
	dbk_tvf_cursor *c = (dbk_tvf_cursor *) cur;

	return c->row >= c->n;
}

static int
tvf_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	((dbk_tvf *) cur->pVtab)->def->column((dbk_tvf_cursor *) cur, ctx, col);
	return SQLITE_OK;
}

static int
tvf_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = (sqlite3_int64) ((dbk_tvf_cursor *) cur)->row + 1;
	return SQLITE_OK;
}

static const sqlite3_module tvf_module_methods = {
	.iVersion = 0,
	.xCreate = NULL,			/* eponymous only */
	.xConnect = tvf_connect,
	.xBestIndex = tvf_best_index,
	.xDisconnect = tvf_disconnect,
	.xDestroy = tvf_disconnect,
	.xOpen = tvf_open,
	.xClose = tvf_close,
	.xFilter = tvf_filter,
	.xNext = tvf_next,
	.xEof = tvf_eof,
	.xColumn = tvf_column,
	.xRowid = tvf_rowid,
};

int
dbk_sqlite_register_tvf(sqlite3 *db, const dbk_tvf_def *def, void *aux, void (*aux_free) (void *))
{
	tvf_module *m = sqlite3_malloc64(sizeof(*m));

	if (m == NULL)
	{
		if (aux_free)
			aux_free(aux);
		return SQLITE_NOMEM;
	}
	m->def = def;
	m->aux = aux;
	m->aux_free = aux_free;
	/* On failure SQLite calls module_free itself. */
	return sqlite3_create_module_v2(db, def->name, &tvf_module_methods, m, module_free);
}
