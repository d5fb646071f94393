/*
 * dump_kind_aggregates.c — the aggregates dump_schema.c's query of plain
 * aggregates leaves out (DBK_KIND_SPECIAL_AGGREGATE): ordered-set and
 * hypothetical-set aggregates, aggregates with a moving-aggregate
 * implementation, and aggregates with a sort operator (see dump_kind.h).
 *
 * Every option is written as the catalog holds it, FINALFUNC_MODIFY and
 * MFINALFUNC_MODIFY included (their defaults differ between plain and
 * ordered-set aggregates), so that no default of CREATE AGGREGATE decides.
 * pg_get_function_arguments() prints the direct and aggregated arguments of
 * an ordered-set aggregate with ORDER BY between them; GRANT, which knows
 * no ORDER BY, is given the flat argument list of regprocedure.
 */
#include "postgres.h"

#include "dump_kind.h"
#include "catalog_sql.h"

#define USER_NS DBK_USER_NS
#define NOT_MEMBER DBK_NOT_MEMBER

/* ",\n    NAME = f" when function column col of pg_aggregate ag is set. */
#define AGG_FUNC(name, col) \
	"CASE WHEN ag." col " <> 0 THEN E',\\n    " name " = ' || ag." col "::regproc::text ELSE '' END"

#define AGG_MODIFY(col) \
	"CASE ag." col " WHEN 'w' THEN 'READ_WRITE' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_ONLY' END"

const char *
dbk_kind_special_aggregates(const dump_kind_context *cx)
{
	return psprintf("SELECT 'pg_proc'::regclass::oid, p.oid, 45, q.q, 'aggregate ' || q.q,"
					" format(E'CREATE AGGREGATE %%I.%%I(%%s) (\\n    SFUNC = %%s,\\n    STYPE = %%s', n.nspname, p.proname,"
					"   CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END,"
					"   ag.aggtransfn::regproc::text, format_type(ag.aggtranstype, NULL))"
					" || CASE WHEN ag.aggtransspace <> 0 THEN E',\\n    SSPACE = ' || ag.aggtransspace ELSE '' END"
					" || " AGG_FUNC("FINALFUNC", "aggfinalfn")
					" || CASE WHEN ag.aggfinalextra THEN E',\\n    FINALFUNC_EXTRA' ELSE '' END"
					" || E',\\n    FINALFUNC_MODIFY = ' || " AGG_MODIFY("aggfinalmodify")
					" || " AGG_FUNC("COMBINEFUNC", "aggcombinefn")
					" || " AGG_FUNC("SERIALFUNC", "aggserialfn")
					" || " AGG_FUNC("DESERIALFUNC", "aggdeserialfn")
					" || CASE WHEN ag.agginitval IS NOT NULL THEN E',\\n    INITCOND = ' || quote_literal(ag.agginitval) ELSE '' END"
					" || CASE WHEN ag.aggmtransfn <> 0 THEN"
					"   E',\\n    MSFUNC = ' || ag.aggmtransfn::regproc::text"
					"   || E',\\n    MINVFUNC = ' || ag.aggminvtransfn::regproc::text"
					"   || E',\\n    MSTYPE = ' || format_type(ag.aggmtranstype, NULL)"
					"   || CASE WHEN ag.aggmtransspace <> 0 THEN E',\\n    MSSPACE = ' || ag.aggmtransspace ELSE '' END"
					"   || " AGG_FUNC("MFINALFUNC", "aggmfinalfn")
					"   || CASE WHEN ag.aggmfinalextra THEN E',\\n    MFINALFUNC_EXTRA' ELSE '' END"
					"   || E',\\n    MFINALFUNC_MODIFY = ' || " AGG_MODIFY("aggmfinalmodify")
					"   || CASE WHEN ag.aggminitval IS NOT NULL THEN E',\\n    MINITCOND = ' || quote_literal(ag.aggminitval)"
					"     ELSE '' END"
					"   ELSE '' END"
					" || CASE WHEN ag.aggsortop <> 0 THEN (SELECT format(E',\\n    SORTOP = OPERATOR(%%I.%%s)', sn.nspname, so.oprname)"
					"   FROM pg_operator so JOIN pg_namespace sn ON sn.oid = so.oprnamespace WHERE so.oid = ag.aggsortop) ELSE '' END"
					" || CASE WHEN ag.aggkind = 'h' THEN E',\\n    HYPOTHETICAL' ELSE '' END"
					" || CASE p.proparallel WHEN 's' THEN E',\\n    PARALLEL = safe' WHEN 'r' THEN E',\\n    PARALLEL = restricted'"
					"   ELSE '' END"
					" || E'\\n);' || %s, NULL::text"
					" FROM pg_proc p JOIN pg_aggregate ag ON ag.aggfnoid = p.oid JOIN pg_namespace n ON n.oid = p.pronamespace"
					" CROSS JOIN LATERAL (SELECT format('%%I.%%I(%%s)', n.nspname, p.proname, CASE WHEN p.pronargs = 0 THEN '*'"
					"   ELSE pg_get_function_identity_arguments(p.oid) END) AS q) q"
					" WHERE p.prokind = 'a' AND " DBK_KIND_SPECIAL_AGGREGATE("ag") " AND " USER_NS("n")
					" AND " NOT_MEMBER("pg_proc", "p.oid"),
					dbk_dump_sql_decorations("pg_proc", "p.oid", "'AGGREGATE ' || q.q", "p.proowner",
					                         "'FUNCTION ' || p.oid::regprocedure::text", "p.proacl"));
}
