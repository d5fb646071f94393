/*
 * schema.c — schema fingerprints on PostgreSQL: dbkeeper_schema(),
 * dbkeeper_fingerprint(), the registry (dbkeeper_schema_register,
 * dbkeeper_schema_version, dbkeeper_schema_check) and dbkeeper_schema_diff,
 * plus dbk_pg_schema_describe() for the backup (schema.h).
 *
 * The description is read from pg_catalog only — never information_schema,
 * which hides what the caller may not access — by set-based queries (one
 * per kind of object, not one per object) through read-only SPI, so that
 * they run in the caller's snapshot; tables, indexes and constraints are
 * built in C from catalog scans in that snapshot (schema_relations.c), with
 * the same text.  A kind's query runs only when a scan of its catalog in C
 * finds objects of the kind (schema_probe.c): most databases have no
 * operators, casts or text search objects of their own.  Each query's plan
 * is prepared at the backend's first description and kept for the next
 * ones.  Every catalog used is readable by
 * every role and the deparsing functions (pg_get_viewdef, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_functiondef, pg_get_triggerdef, pg_get_expr,
 * format_type) check no privilege, so any role computes the owner's
 * fingerprint.  For the time of a description search_path is pg_catalog
 * (every other name comes out schema-qualified) and the settings that change
 * how constants print are fixed to the values pg_dump uses, so the session
 * does not matter.  Rows are sorted in the core, byte by byte, so neither
 * OIDs, catalog order nor the database's collation matter.
 *
 * Left out: objects in pg_catalog, information_schema and pg_toast/pg_temp
 * schemas; members of extensions (each extension is one row: name, version,
 * schema), hence dbkeeper's own objects; the dbkeeper extension itself.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "../core/archive/backup_dir.h"
#include "../core/fingerprint/schema.h"
#include "../core/fingerprint/schema_check.h"
#include "../core/fingerprint/schema_diff.h"
#include "access.h"
#include "common.h"
#include "compat.h"
#include "guc.h"
#include "schema.h"
#include "schema_probe.h"
#include "schema_relations.h"
#include "schema_settle.h"

#define DBK_PG_ENGINE "postgresql"

#define USER_NS DBK_USER_NS
#define MEMBER DBK_MEMBER

/*
 * Each query returns kind, name, definition.  Tables and indexes, most of a
 * large schema, and constraints are described in C (schema_relations.c), and
 * so are schemas and extensions, which every database has.
 */
static const char *const describe_queries[] = {
	/*
	 * views and materialized views: the definition is pg_get_viewdef's text,
	 * then the options and the columns' defaults, joined by "; " as
	 * concat_ws joins them; settle_row builds it (dbk_pg_viewdef), so that
	 * the rule is read once, without SPI, and the view itself is not opened
	 */
	"SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, c.oid::regclass::text, "
	"  NULL::text, 'view', c.oid, "
	"   CASE WHEN c.reloptions IS NOT NULL THEN 'with (' || "
	"     array_to_string(ARRAY(SELECT o FROM unnest(c.reloptions) o ORDER BY o COLLATE \"C\"), ', ') || ')' END, "
	/* canonical form 3: a view column's DEFAULT (what an INSERT through the view gets) */
	"   (SELECT string_agg('column ' || quote_ident(a.attname) || ' default ' || pg_get_expr(d.adbin, d.adrelid), "
	"                      ', ' ORDER BY a.attnum) "
	"      FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
	"      WHERE d.adrelid = c.oid) "
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE c.relkind IN ('v', 'm') AND " USER_NS("n") " AND NOT " MEMBER("pg_class", "c.oid"),

	/* sequences: their definition and owner column, never their value */
	"SELECT 'sequence', c.oid::regclass::text, concat_ws(' ', 'as', format_type(s.seqtypid, NULL), "
	"  'increment', s.seqincrement, 'minvalue', s.seqmin, 'maxvalue', s.seqmax, 'start', s.seqstart, "
	"  'cache', s.seqcache, CASE WHEN s.seqcycle THEN 'cycle' ELSE 'no cycle' END, "
	"  CASE WHEN c.relpersistence = 'u' THEN 'unlogged' END, "
	"  (SELECT 'owned by ' || d.refobjid::regclass::text || '.' || quote_ident(a.attname) "
	"     FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
	"     WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
	"       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1)) "
	"FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_class", "c.oid"),

	/* functions, procedures, window functions: their full definition */
	"SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'w' THEN 'window function' ELSE 'function' END, "
	"  quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
	"  pg_get_functiondef(p.oid) "
	"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
	"WHERE p.prokind <> 'a' AND " USER_NS("n") " AND NOT " MEMBER("pg_proc", "p.oid") " "
	/* not the constructors CREATE TYPE ... AS RANGE makes (an internal dependency) */
	"  AND NOT EXISTS (SELECT FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass "
	"                  AND i.objid = p.oid AND i.deptype = 'i')",

	/* aggregates: their pg_aggregate row */
	"SELECT 'aggregate', "
	"  quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
	"  concat_ws(' ', 'returns', format_type(p.prorettype, NULL), 'kind', g.aggkind, "
	"   'direct arguments', g.aggnumdirectargs, 'sfunc', g.aggtransfn::regprocedure::text, "
	"   'stype', format_type(g.aggtranstype, NULL), 'finalfunc', g.aggfinalfn::regprocedure::text, "
	"   'finalfunc_extra', g.aggfinalextra, 'finalfunc_modify', g.aggfinalmodify, "
	"   'combinefunc', g.aggcombinefn::regprocedure::text, 'serialfunc', g.aggserialfn::regprocedure::text, "
	"   'deserialfunc', g.aggdeserialfn::regprocedure::text, 'initcond', quote_nullable(g.agginitval), "
	"   'msfunc', g.aggmtransfn::regprocedure::text, 'minvfunc', g.aggminvtransfn::regprocedure::text, "
	"   'mstype', format_type(nullif(g.aggmtranstype, 0), NULL), 'mfinalfunc', g.aggmfinalfn::regprocedure::text, "
	"   'minitcond', quote_nullable(g.aggminitval), 'sortop', g.aggsortop::regoperator::text, "
	"   'parallel', p.proparallel) "
	"FROM pg_proc p JOIN pg_aggregate g ON g.aggfnoid = p.oid JOIN pg_namespace n ON n.oid = p.pronamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_proc", "p.oid"),

	/* triggers (not the internal ones of foreign keys) */
	"SELECT 'trigger', c.oid::regclass::text || '.' || quote_ident(tg.tgname), pg_get_triggerdef(tg.oid) "
	"  || CASE tg.tgenabled WHEN 'D' THEN '; disabled' WHEN 'R' THEN '; enabled replica' "
	"                       WHEN 'A' THEN '; enabled always' ELSE '' END "
	"FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE NOT tg.tgisinternal AND " USER_NS("n") " AND NOT " MEMBER("pg_class", "c.oid"),

	/* rules (not the _RETURN rule that makes a view) */
	"SELECT 'rule', c.oid::regclass::text || '.' || quote_ident(r.rulename), pg_get_ruledef(r.oid) "
	"  || CASE r.ev_enabled WHEN 'D' THEN '; disabled' WHEN 'R' THEN '; enabled replica' "
	"                       WHEN 'A' THEN '; enabled always' ELSE '' END "
	"FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE r.rulename <> '_RETURN' AND " USER_NS("n") " AND NOT " MEMBER("pg_class", "c.oid"),

	/* row-level security policies */
	"SELECT 'policy', c.oid::regclass::text || '.' || quote_ident(p.polname), "
	"  concat_ws(' ', CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END, 'for', "
	"   CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' "
	"                 WHEN 'd' THEN 'delete' ELSE 'all' END, 'to', "
	"   (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END, ', ' "
	"                      ORDER BY CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END COLLATE \"C\") "
	"      FROM unnest(p.polroles) r), "
	"   'using (' || pg_get_expr(p.polqual, p.polrelid) || ')', "
	"   'with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')'), "
	"  'policy', p.polrelid, p.polqual::text, p.polwithcheck::text "
	"FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_class", "c.oid"),

	/* types: enums (labels in order), domains, composite, range and base types */
	"SELECT CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, t.oid::regtype::text, "
	"  CASE t.typtype "
	"   WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
	"                              FROM pg_enum e WHERE e.enumtypid = t.oid) || ')' "
	"   WHEN 'd' THEN concat_ws(' ', format_type(t.typbasetype, t.typtypmod), "
	"      CASE WHEN t.typcollation <> b.typcollation THEN 'collate ' || t.typcollation::regcollation::text END, "
	"      CASE WHEN t.typnotnull THEN 'not null' END, "
	"      'default ' || pg_get_expr(t.typdefaultbin, 'pg_type'::regclass)) "
	"   WHEN 'c' THEN 'composite (' || (SELECT string_agg(concat(quote_ident(a.attname), ' ', "
	"        format_type(a.atttypid, a.atttypmod), CASE WHEN a.attcollation <> at.typcollation "
	"        THEN ' collate ' || a.attcollation::regcollation::text END), ', ' ORDER BY a.attnum) "
	"      FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid "
	"      WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')' "
	"   WHEN 'r' THEN (SELECT concat_ws(' ', 'range subtype', format_type(r.rngsubtype, NULL), "
	"        'collation ' || nullif(r.rngcollation, 0)::regcollation::text, "
	"        'opclass', (SELECT quote_ident(on2.nspname) || '.' || quote_ident(oc.opcname) FROM pg_opclass oc "
	"                    JOIN pg_namespace on2 ON on2.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc), "
	"        'canonical', r.rngcanonical::regproc::text, 'subdiff', r.rngsubdiff::regproc::text, "
	"        'multirange', r.rngmultitypid::regtype::text) FROM pg_range r WHERE r.rngtypid = t.oid) "
	"   ELSE concat_ws(' ', 'base input', t.typinput::regproc::text, 'output', t.typoutput::regproc::text, "
	"        'receive', t.typreceive::regproc::text, 'send', t.typsend::regproc::text, "
	"        'typmod_in', t.typmodin::regproc::text, 'typmod_out', t.typmodout::regproc::text, "
	"        'analyze', t.typanalyze::regproc::text, 'length', t.typlen, 'byval', t.typbyval, "
	"        'align', t.typalign, 'storage', t.typstorage, 'category', t.typcategory, "
	"        'preferred', t.typispreferred, 'delimiter', quote_literal(t.typdelim::text), "
	"        'element', nullif(t.typelem, 0)::regtype::text, 'collatable', t.typcollation <> 0) "
	"  END, "
	"  CASE WHEN t.typdefaultbin IS NOT NULL THEN 'domain default' END, t.typbasetype, "
	"  t.typdefaultbin::text, t.typtypmod "
	"FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
	"LEFT JOIN pg_type b ON b.oid = t.typbasetype LEFT JOIN pg_class tc ON tc.oid = t.typrelid "
	"WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r') AND " USER_NS("n") " AND NOT " MEMBER("pg_type", "t.oid") " "
	"  AND (t.typtype <> 'c' OR tc.relkind = 'c') "
	/* not the array types made with every type (a hashed subplan: typarray has no index) */
	"  AND t.oid NOT IN (SELECT typarray FROM pg_type WHERE typarray <> 0)",

	/*
	 * Canonical form 3: the kinds below change how queries behave, though no
	 * table names them.
	 */

	/* operators: the function behind them and what the planner may do with them */
	"SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname || '(' || "
	"  CASE WHEN o.oprleft = 0 THEN 'none' ELSE format_type(o.oprleft, NULL) END || ', ' || "
	"  CASE WHEN o.oprright = 0 THEN 'none' ELSE format_type(o.oprright, NULL) END || ')', "
	"  concat_ws(' ', 'function', o.oprcode::regprocedure::text, 'returns', format_type(o.oprresult, NULL), "
	"   'commutator ' || nullif(o.oprcom, 0)::regoperator::text, 'negator ' || nullif(o.oprnegate, 0)::regoperator::text, "
	"   'restrict ' || nullif(o.oprrest, 0)::regprocedure::text, 'join ' || nullif(o.oprjoin, 0)::regprocedure::text, "
	"   CASE WHEN o.oprcanhash THEN 'hashes' END, CASE WHEN o.oprcanmerge THEN 'merges' END) "
	"FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_operator", "o.oid"),

	/* operator classes and families: which operators and functions an index uses */
	"SELECT 'operator class', quote_ident(n.nspname) || '.' || quote_ident(oc.opcname) || ' using ' || am.amname, "
	"  concat_ws(' ', CASE WHEN oc.opcdefault THEN 'default' END, 'for type', format_type(oc.opcintype, NULL), "
	"   'family', quote_ident(fn.nspname) || '.' || quote_ident(f.opfname), "
	"   'storage ' || CASE WHEN oc.opckeytype <> 0 THEN format_type(oc.opckeytype, NULL) END) "
	"FROM pg_opclass oc JOIN pg_namespace n ON n.oid = oc.opcnamespace JOIN pg_am am ON am.oid = oc.opcmethod "
	"JOIN pg_opfamily f ON f.oid = oc.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_opclass", "oc.oid"),

	"SELECT 'operator family', quote_ident(n.nspname) || '.' || quote_ident(f.opfname) || ' using ' || am.amname, "
	"  concat_ws('; ', "
	"   (SELECT string_agg(x, ', ' ORDER BY x COLLATE \"C\") FROM (SELECT concat_ws(' ', 'operator', ao.amopstrategy, "
	"       ao.amopopr::regoperator::text, CASE WHEN ao.amoppurpose = 's' THEN 'for search' "
	"       ELSE 'for order by ' || (SELECT quote_ident(sn.nspname) || '.' || quote_ident(sf.opfname) "
	"         FROM pg_opfamily sf JOIN pg_namespace sn ON sn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily) END) "
	"     FROM pg_amop ao WHERE ao.amopfamily = f.oid) ops(x)), "
	"   (SELECT string_agg(x, ', ' ORDER BY x COLLATE \"C\") FROM (SELECT concat_ws(' ', 'function', ap.amprocnum, "
	"       '(' || format_type(ap.amproclefttype, NULL) || ', ' || format_type(ap.amprocrighttype, NULL) || ')', "
	"       ap.amproc::regprocedure::text) "
	"     FROM pg_amproc ap WHERE ap.amprocfamily = f.oid) procs(x))) "
	"FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_opfamily", "f.oid"),

	/* casts the user made (pg_dump's test: an OID past the bootstrap ones) */
	"SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' as ' || format_type(c.casttarget, NULL) || ')', "
	"  concat_ws(' ', CASE c.castmethod WHEN 'f' THEN 'with function ' || c.castfunc::regprocedure::text "
	"                  WHEN 'i' THEN 'with inout' ELSE 'without function' END, "
	"   CASE c.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'as assignment' ELSE 'as implicit' END) "
	"FROM pg_cast c WHERE c.oid >= 16384 AND NOT " MEMBER("pg_cast", "c.oid"),

	/* text search configurations, dictionaries, parsers and templates */
	"SELECT 'text search configuration', c.oid::regconfig::text, "
	"  concat_ws('; ', 'parser ' || quote_ident(pn.nspname) || '.' || quote_ident(p.prsname), "
	"   (SELECT string_agg(t.alias || ' ' || m.dicts, ', ' ORDER BY t.alias COLLATE \"C\") "
	"      FROM (SELECT maptokentype, string_agg(mapdict::regdictionary::text, ' ' ORDER BY mapseqno) AS dicts "
	"              FROM pg_ts_config_map WHERE mapcfg = c.oid GROUP BY maptokentype) m "
	"      JOIN ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype)) "
	"FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace "
	"JOIN pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_ts_config", "c.oid"),

	"SELECT 'text search dictionary', d.oid::regdictionary::text, "
	"  concat_ws(' ', 'template', quote_ident(tn.nspname) || '.' || quote_ident(t.tmplname), "
	"   'options (' || d.dictinitoption || ')') "
	"FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace "
	"JOIN pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_ts_dict", "d.oid"),

	"SELECT 'text search parser', quote_ident(n.nspname) || '.' || quote_ident(p.prsname), "
	"  concat_ws(' ', 'start', p.prsstart::regproc::text, 'gettoken', p.prstoken::regproc::text, "
	"   'end', p.prsend::regproc::text, 'lextypes', p.prslextype::regproc::text, "
	"   'headline ' || nullif(p.prsheadline, 0)::regproc::text) "
	"FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_ts_parser", "p.oid"),

	"SELECT 'text search template', quote_ident(n.nspname) || '.' || quote_ident(t.tmplname), "
	"  concat_ws(' ', 'init ' || nullif(t.tmplinit, 0)::regproc::text, 'lexize', t.tmpllexize::regproc::text) "
	"FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_ts_template", "t.oid"),

	/* event triggers: they run on DDL, whoever issues it */
	"SELECT 'event trigger', quote_ident(et.evtname), "
	"  concat_ws(' ', 'on', et.evtevent, "
	"   'when tag in (' || nullif(array_to_string(ARRAY(SELECT quote_literal(g) FROM unnest(et.evttags) g "
	"                                                   ORDER BY g COLLATE \"C\"), ', '), '') || ')', "
	"   'execute', et.evtfoid::regprocedure::text, "
	"   CASE et.evtenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled replica' "
	"                     WHEN 'A' THEN 'enabled always' END) "
	"FROM pg_event_trigger et WHERE NOT " MEMBER("pg_event_trigger", "et.oid"),

	/* extended statistics: the planner's estimates, hence plans */
	"SELECT 'statistics', quote_ident(n.nspname) || '.' || quote_ident(s.stxname), "
	"  concat_ws('; ', pg_get_statisticsobjdef(s.oid), "
	"   CASE WHEN s.stxstattarget >= 0 THEN 'statistics ' || s.stxstattarget END) "
	"FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_statistic_ext", "s.oid"),

	/* publications: what logical replication sends */
	"SELECT 'publication', quote_ident(p.pubname), "
	"  concat_ws('; ', CASE WHEN p.puballtables THEN 'for all tables' END, "
	"   'publish ' || concat_ws(', ', CASE WHEN p.pubinsert THEN 'insert' END, "
	"     CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END, "
	"     CASE WHEN p.pubtruncate THEN 'truncate' END), "
	"   CASE WHEN p.pubviaroot THEN 'via root' END, "
	"   (SELECT 'tables ' || string_agg(x, ', ' ORDER BY x COLLATE \"C\") FROM (SELECT r.prrelid::regclass::text "
	"       || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
	"                            FROM pg_attribute a WHERE a.attrelid = r.prrelid AND a.attnum = ANY (r.prattrs)) || ')', '') "
	"       || coalesce(' where (' || pg_get_expr(r.prqual, r.prrelid) || ')', '') "
	"     FROM pg_publication_rel r WHERE r.prpubid = p.oid) t(x)), "
	"   (SELECT 'tables in schemas ' || string_agg(quote_ident(pn.nspname), ', ' ORDER BY pn.nspname COLLATE \"C\") "
	"      FROM pg_publication_namespace s JOIN pg_namespace pn ON pn.oid = s.pnnspid WHERE s.pnpubid = p.oid)) "
	"FROM pg_publication p WHERE NOT " MEMBER("pg_publication", "p.oid"),
};

/*
 * The kind each query of describe_queries lists, in the same order: a query
 * runs only when the probes (schema_probe.c) find that kind in the catalogs.
 */
static const dbk_probe_kind describe_probes[] = {
	DBK_PROBE_VIEWS,
	DBK_PROBE_SEQUENCES,
	DBK_PROBE_FUNCTIONS,
	DBK_PROBE_AGGREGATES,
	DBK_PROBE_TRIGGERS,
	DBK_PROBE_RULES,
	DBK_PROBE_POLICIES,
	DBK_PROBE_TYPES,
	DBK_PROBE_OPERATORS,
	DBK_PROBE_OPCLASSES,
	DBK_PROBE_OPFAMILIES,
	DBK_PROBE_CASTS,
	DBK_PROBE_TS_CONFIGS,
	DBK_PROBE_TS_DICTS,
	DBK_PROBE_TS_PARSERS,
	DBK_PROBE_TS_TEMPLATES,
	DBK_PROBE_EVENT_TRIGGERS,
	DBK_PROBE_STATISTICS,
	DBK_PROBE_PUBLICATIONS,
};

StaticAssertDecl(lengthof(describe_probes) == lengthof(describe_queries),
				 "one probe kind per describe query");

/*
 * Each query's plan, prepared at the backend's first description and kept
 * (dbk_pg_schema_execute); the same for the collations query.
 */
static SPIPlanPtr describe_plans[lengthof(describe_queries)];
static SPIPlanPtr collations_plan;

/*
 * Settings fixed while describing, as pg_dump fixes them: names come out
 * schema-qualified, constants in one format whatever the session's taste.
 */
static const char *const fixed_settings[][2] = {
	{"search_path", "pg_catalog, pg_temp"},
	{"quote_all_identifiers", "off"},
	{"extra_float_digits", "1"},
	{"DateStyle", "ISO, YMD"},
	{"IntervalStyle", "postgres"},
	{"TimeZone", "UTC"},
	{"bytea_output", "hex"},
	{"standard_conforming_strings", "on"},
	/*
	 * Plans only, never text: these catalog queries are short, and compiling
	 * them (JIT) or starting parallel workers cost more than they run.
	 */
	{"jit", "off"},
	{"max_parallel_workers_per_gather", "0"},
};

/*
 * The definition of a view's row: concat_ws('; ', pg_get_viewdef's text,
 * options, column defaults), NULL parts left out, with the view's query as
 * a restore prints it.
 */
static char *
view_row(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	Oid			view = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));
	char	   *viewdef = dbk_pg_viewdef(view);
	char	   *parts[3] = {viewdef, SPI_getvalue(tup, desc, 6), SPI_getvalue(tup, desc, 7)};
	StringInfoData def;
	bool		first = true;

	initStringInfo(&def);
	for (int i = 0; i < 3; i++)
	{
		if (parts[i] == NULL)
			continue;
		if (!first)
			appendStringInfoString(&def, "; ");
		appendStringInfoString(&def, parts[i]);
		first = false;
	}
	return viewdef != NULL ? dbk_pg_settle_viewdef(def.data, viewdef) : def.data;
}

/*
 * A query's row may carry, after kind, name and definition, what
 * schema_settle.c needs to print its expressions as a restore will: a tag,
 * then the tag's columns.
 *   'view'            the view, its options, its columns' defaults (the
 *                     definition is built here: view_row)
 *   'policy'          the table, the USING tree, the WITH CHECK tree
 *   'domain default'  the base type, the default's tree, the base type's typmod
 */
static char *
settle_row(char *def, HeapTuple tup, TupleDesc desc)
{
	char	   *tag = desc->natts > 3 ? SPI_getvalue(tup, desc, 4) : NULL;
	bool		isnull;

	if (tag != NULL && strcmp(tag, "view") == 0)
		return view_row(tup, desc);
	if (tag == NULL || def == NULL)
		return def;
	if (strcmp(tag, "policy") == 0)
	{
		Oid			relid = DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull));

		for (int col = 6; col <= 7; col++)
		{
			char	   *tree = SPI_getvalue(tup, desc, col);

			if (tree != NULL)
				def = dbk_pg_settle_expr(def, tree, relid, DBK_SETTLE_POLICY, InvalidOid, -1, '\0');
		}
		return def;
	}
	if (strcmp(tag, "domain default") == 0)
		return dbk_pg_settle_expr(def, SPI_getvalue(tup, desc, 6), TypeRelationId, DBK_SETTLE_DEFAULT,
								  DatumGetObjectId(SPI_getbinval(tup, desc, 5, &isnull)),
								  DatumGetInt32(SPI_getbinval(tup, desc, 7, &isnull)), '\0');
	elog(ERROR, "unknown settle tag \"%s\"", tag);
	return def;
}

/*
 * Collations (canonical form 3), whose columns differ between versions
 * (compat.h): a psprintf format without arguments.
 */
static const char collations_query[] =
	"SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(c.collname), "
	"  concat_ws(', ', " DBK_SQL_COLLATION_PROVIDER("c") ", CASE WHEN NOT c.collisdeterministic THEN 'deterministic = false' END) "
	"FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace "
	"WHERE " USER_NS("n") " AND NOT " MEMBER("pg_collation", "c.oid");

/*
 * Where the time of a description goes: with client_min_messages (or
 * log_min_messages) at debug1, each step's wall time, the backend's CPU time
 * in it (which other work on the machine does not inflate) and its rows.
 */
static void
step_start(dbk_pg_clock *c)
{
	if (message_level_is_interesting(DEBUG1))
		dbk_pg_clock_start(c);
}

static void
log_step(dbk_pg_clock *c, const char *what, uint64 rows)
{
	double		wall_ms,
				cpu_ms;

	if (!message_level_is_interesting(DEBUG1))
		return;
	dbk_pg_clock_lap(c, &wall_ms, &cpu_ms);
	elog(DEBUG1, "schema description: %s: %.3f ms (%.1f ms CPU), %llu rows", what,
		 wall_ms, cpu_ms, (unsigned long long) rows);
}

/*
 * Adds the rows of one query (kind, name, definition[, settle tag, ...]) to
 * s; *kept is its plan, kept across calls.
 */
static void
describe_query(dbk_schema *s, SPIPlanPtr *kept, const char *sql)
{
	dbk_error	err;
	dbk_pg_clock	t;
	int			rc;
	MemoryContext per_row;

	step_start(&t);
	rc = dbk_pg_schema_execute(kept, sql);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "reading the catalog for the schema description failed: %s",
			 SPI_result_code_string(rc));
	/*
	 * Each row's work (deparsed and parsed trees) in a context of its own,
	 * reset after the row (dbk_schema_add copies what it keeps): a new
	 * backend pays a page fault for every page its memory grows by.
	 */
	per_row = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper schema row", ALLOCSET_DEFAULT_SIZES);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		MemoryContext old = MemoryContextSwitchTo(per_row);
		char	   *kind = SPI_getvalue(tup, desc, 1);
		char	   *name = SPI_getvalue(tup, desc, 2);
		char	   *def = settle_row(SPI_getvalue(tup, desc, 3), tup, desc);

		if (dbk_schema_add(s, kind, name ? name : "", def, &err) != 0)
			dbk_pg_raise(&err);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_row);
	}
	MemoryContextDelete(per_row);
	log_step(&t, SPI_processed > 0 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : pnstrdup(sql, 72),
			 SPI_processed);
	SPI_freetuptable(SPI_tuptable);
}

/* Adds every row of the description to s (initialised, empty). */
static void
describe(dbk_schema *s)
{
	int			nest = NewGUCNestLevel();
	dbk_pg_clock	t;
	dbk_probe	probe;
	int			skipped = 0;
	MemoryContext relcxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper schema relations",
												 ALLOCSET_DEFAULT_SIZES);
	dbk_pg_relinfo *ri = dbk_pg_relinfo_create(relcxt);

	for (size_t i = 0; i < lengthof(fixed_settings); i++)
		(void) set_config_option(fixed_settings[i][0], fixed_settings[i][1], PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	step_start(&t);
	/* tables first: the index and constraint passes reuse their columns */
	dbk_pg_describe_tables(s, ri);
	log_step(&t, "tables", s->n);
	dbk_pg_describe_indexes(s, ri);
	log_step(&t, "tables and indexes", s->n);
	dbk_pg_describe_constraints(s, ri);
	log_step(&t, "tables, indexes and constraints", s->n);
	dbk_pg_describe_schemas_and_extensions(s, ri);
	dbk_pg_probe_kinds(&probe, ri);
	log_step(&t, "probes", s->n);
	for (size_t q = 0; q < lengthof(describe_queries); q++)
	{
		if (probe.present[describe_probes[q]])
			describe_query(s, &describe_plans[q], describe_queries[q]);
		else
			skipped++;
	}
	if (probe.present[DBK_PROBE_COLLATIONS])
		describe_query(s, &collations_plan, psprintf(collations_query));
	else
		skipped++;
	if (message_level_is_interesting(DEBUG1))
		log_step(&t, psprintf("the other kinds (%d queries of %d skipped: none of the user's)",
							  skipped, (int) lengthof(describe_queries) + 1), s->n);
	step_start(&t);
	SPI_finish();
	AtEOXact_GUC(true, nest);
	MemoryContextDelete(relcxt);
	dbk_schema_sort(s);
	log_step(&t, "sorting", s->n);
}

/* Per-call state: a memory context for the core and its allocator. */
typedef struct call_mem
{
	MemoryContext cxt;
	dbk_allocator a;
} call_mem;

static void
call_mem_init(call_mem *m)
{
	m->cxt = AllocSetContextCreate(CurrentMemoryContext, "dbkeeper schema", ALLOCSET_DEFAULT_SIZES);
	dbk_pg_allocator_init(&m->a, m->cxt);
}

static void
fingerprint_now(call_mem *m, char hex[DBK_SHA256_HEX_LEN + 1])
{
	dbk_schema	s;
	dbk_error	err;

	dbk_schema_init(&s, &m->a, DBK_SCHEMA_FORMAT_POSTGRESQL);
	describe(&s);
	if (dbk_schema_fingerprint(&s, hex, &err) != 0)
		dbk_pg_raise(&err);
	dbk_schema_free(&s);
}

void
dbk_pg_schema_describe(char **canonical_text, char fingerprint_hex[65])
{
	call_mem	m;
	dbk_schema	s;
	dbk_error	err;
	char	   *text;
	size_t		len;

	call_mem_init(&m);
	dbk_schema_init(&s, &m.a, DBK_SCHEMA_FORMAT_POSTGRESQL);
	describe(&s);
	if (dbk_schema_fingerprint(&s, fingerprint_hex, &err) != 0 ||
		dbk_schema_text(&s, &text, &len, &err) != 0)
		dbk_pg_raise(&err);
	*canonical_text = pnstrdup(text, len);
	MemoryContextDelete(m.cxt);
}

/* ---- the registry, a table of the extension ---- */

/* The registry lives beside the function being called (@extschema@). */
static char *
registry_table(FunctionCallInfo fcinfo)
{
	char	   *nsp = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));

	return psprintf("%s.dbkeeper_schema_version", quote_identifier(nsp));
}

/* The one text that sql (with one text parameter) returns, or NULL; palloc'd in the caller's context. */
static char *
registry_lookup(FunctionCallInfo fcinfo, const char *what, const char *param)
{
	MemoryContext caller = CurrentMemoryContext;
	char	   *sql;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *result = NULL;

	if (strcmp(what, "version") == 0)
		sql = psprintf("SELECT version FROM %s WHERE fingerprint OPERATOR(pg_catalog.=) $1 "
					   "ORDER BY registered_at DESC, version COLLATE \"C\" DESC LIMIT 1", registry_table(fcinfo));
	else
		sql = psprintf("SELECT fingerprint FROM %s WHERE version OPERATOR(pg_catalog.=) $1", registry_table(fcinfo));
	args[0] = CStringGetTextDatum(param);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the schema registry failed");
	if (SPI_processed > 0)
	{
		char	   *v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		if (v)
			result = MemoryContextStrdup(caller, v);
	}
	SPI_finish();
	return result;
}

/* ---- SQL functions ---- */

PG_FUNCTION_INFO_V1(dbkeeper_schema);
PG_FUNCTION_INFO_V1(dbkeeper_fingerprint);
PG_FUNCTION_INFO_V1(dbkeeper_schema_register);
PG_FUNCTION_INFO_V1(dbkeeper_schema_version);
PG_FUNCTION_INFO_V1(dbkeeper_schema_check);
PG_FUNCTION_INFO_V1(dbkeeper_schema_diff);

Datum
dbkeeper_schema(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	call_mem	m;
	dbk_schema	s;

	InitMaterializedSRF(fcinfo, 0);
	call_mem_init(&m);
	dbk_schema_init(&s, &m.a, DBK_SCHEMA_FORMAT_POSTGRESQL);
	describe(&s);
	for (size_t i = 0; i < s.n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(s.rows[i].kind);
		values[1] = CStringGetTextDatum(s.rows[i].name);
		values[2] = CStringGetTextDatum(s.rows[i].definition);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(m.cxt);
	return (Datum) 0;
}

Datum
dbkeeper_fingerprint(PG_FUNCTION_ARGS)
{
	call_mem	m;
	char		hex[DBK_SHA256_HEX_LEN + 1];

	call_mem_init(&m);
	fingerprint_now(&m, hex);
	MemoryContextDelete(m.cxt);
	PG_RETURN_TEXT_P(cstring_to_text(hex));
}

Datum
dbkeeper_schema_register(PG_FUNCTION_ARGS)
{
	char	   *version = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	call_mem	m;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *registered;
	dbk_error	err;

	if (dbk_schema_version_check(version, &err) != 0)
		dbk_pg_raise(&err);
	call_mem_init(&m);
	fingerprint_now(&m, hex);
	MemoryContextDelete(m.cxt);
	registered = registry_lookup(fcinfo, "fingerprint", version);
	if (registered && strcmp(registered, hex) != 0)
	{
		dbk_schema_register_conflict(version, registered, hex, &err);
		dbk_pg_raise(&err);
	}
	if (registered == NULL)
	{
		Oid			argtypes[2] = {TEXTOID, TEXTOID};
		Datum		args[2] = {CStringGetTextDatum(version), CStringGetTextDatum(hex)};

		dbk_pg_require_writable("dbkeeper_schema_register()");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute_with_args(psprintf("INSERT INTO %s (version, fingerprint) VALUES ($1, $2)",
										   registry_table(fcinfo)),
								  2, argtypes, args, NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "writing the schema registry failed");
		SPI_finish();
	}
	PG_RETURN_TEXT_P(cstring_to_text(hex));
}

Datum
dbkeeper_schema_version(PG_FUNCTION_ARGS)
{
	call_mem	m;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *version;

	call_mem_init(&m);
	fingerprint_now(&m, hex);
	MemoryContextDelete(m.cxt);
	version = registry_lookup(fcinfo, "version", hex);
	if (version == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(version));
}

Datum
dbkeeper_schema_check(PG_FUNCTION_ARGS)
{
	char	   *expected = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	call_mem	m;
	char		hex[DBK_SHA256_HEX_LEN + 1];
	char	   *expected_fp;
	dbk_error	err;

	if (dbk_schema_expected_check(expected, &err) != 0)
		dbk_pg_raise(&err);
	call_mem_init(&m);
	fingerprint_now(&m, hex);
	MemoryContextDelete(m.cxt);
	expected_fp = registry_lookup(fcinfo, "fingerprint", expected);
	if (dbk_schema_check_decide(expected, expected_fp, hex, registry_lookup(fcinfo, "version", hex), &err) != 0)
		dbk_pg_raise(&err);
	PG_RETURN_TEXT_P(cstring_to_text(hex));
}

Datum
dbkeeper_schema_diff(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *given = PG_ARGISNULL(0) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(0));
	char		path[DBK_PG_PATH_MAX];
	call_mem	m;
	dbk_schema	now,
				then;
	dbk_schema_diff changes = {NULL, NULL, 0};
	dbk_dir		d = {-1, ""};
	dbk_error	err;
	dbk_origin	o;
	char		name[DBK_NAME_MAX + 1];
	int			rc = -1;

	/* It reads a backup file, as dbkeeper_verify() does. */
	dbk_pg_check_access("dbkeeper_schema_diff", DBK_PG_READ_WRITE_FILES);
	dbk_pg_backup_dir(path, sizeof(path));
	InitMaterializedSRF(fcinfo, 0);
	call_mem_init(&m);
	dbk_schema_init(&now, &m.a, DBK_SCHEMA_FORMAT_POSTGRESQL);
	dbk_schema_init(&then, &m.a, DBK_SCHEMA_FORMAT_POSTGRESQL);
	describe(&now);
	dbk_pg_origin(&o);
	/* No ereport while the directory is open: collect the result, close, then raise. */
	if (dbk_dir_open(&d, path, false, &err) == 0 &&
		dbk_catalog_resolve(&m.a, &d, &o, DBK_EXT_PG, given, name, &err) == 0 &&
		dbk_schema_from_backup(&m.a, &d, name, DBK_PG_ENGINE, &then, &err) == 0)
		rc = dbk_schema_diff_make(&m.a, &then, &now, &changes, &err);
	dbk_dir_close(&d);
	if (rc != 0)
		dbk_pg_raise(&err);
	for (size_t i = 0; i < changes.n; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(changes.items[i].change);
		values[1] = CStringGetTextDatum(changes.items[i].kind);
		values[2] = CStringGetTextDatum(changes.items[i].name);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(m.cxt);
	return (Datum) 0;
}
