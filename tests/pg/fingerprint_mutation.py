#!/usr/bin/env python3
"""Mutation test of the PostgreSQL schema fingerprint (t_fingerprint_mutation.sh).

A seeded generator writes random schemas; each is loaded in two spellings
(which must give one fingerprint) and then with one single change at a time
(an ALTER or CREATE after the schema).  The oracle is `pg_dump -s`, with what
the fingerprint leaves out on purpose taken away (owners, privileges,
comments, foreign servers and wrappers) and its statements sorted, so that
creation order does not count (pg_dump is run with -O -x --no-comments,
which leave out the same owners, privileges and comments):

  - oracle equal, fingerprint different: a false alarm;
  - oracle different, fingerprint equal: a miss.

Every schema is also fingerprinted under odd session settings and as a role
with no privileges, which must not change it.  Each miss and false alarm is
shrunk (the schema's statements dropped one by one while it still shows) and
printed.  Prints PASS/FAIL lines SUITE/<id>; talks to the server through psql
and pg_dump with the PG* environment that tests/pg/lib.sh sets.

  fingerprint_mutation.py SUITE SEED SCHEMAS CHANGES_PER_SCHEMA
"""
import random
import re
import subprocess
import sys
import threading
import time

SUITE, SEED, SCHEMAS, CHANGES = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
DB = "mut_case"        # one database per worker: mut_case0, mut_case1, ...
WORKERS = 2

# ---- the server -------------------------------------------------------------


def psql(db, sql, check=True):
    p = subprocess.run(["psql", "-X", "-qAt", "-v", "ON_ERROR_STOP=1", "-d", db],
                       input=sql, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    return p


ODD = ("SET search_path = public, pg_temp; SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard';"
       " SET extra_float_digits = -15; SET TimeZone = 'Pacific/Chatham'; SET bytea_output = 'escape';"
       " SET quote_all_identifiers = on; SET standard_conforming_strings = off;"
       " SET lc_messages = 'C'; SET enable_indexscan = off; SET enable_seqscan = off;\n")

SUFFIX = ("\\echo ==FP==\nSELECT dbk.dbkeeper_fingerprint();\n" + ODD + "SELECT dbk.dbkeeper_fingerprint();\n"
          "RESET ALL;\nSET ROLE mut_nobody;\nSELECT dbk.dbkeeper_fingerprint();\n")

DROP_PREFIXES = ("ALTER DEFAULT PRIVILEGES", "GRANT ", "REVOKE ", "COMMENT ON ", "SET ", "SELECT pg_catalog.set_config",
                 "CREATE FOREIGN DATA WRAPPER", "CREATE SERVER", "CREATE EXTENSION", "COMMENT ON EXTENSION", "\\restrict", "\\unrestrict")


def oracle_text(dump):
    """pg_dump -s output as a sorted list of statements, out-of-scope ones left out."""
    lines = [l for l in dump.splitlines() if not l.startswith("--")]
    stmts, cur = [], []
    for l in lines:
        if not l.strip() and not cur:
            continue
        cur.append(l)
        if l.rstrip().endswith(";") and not in_dollar_body(cur):
            stmts.append("\n".join(cur).strip())
            cur = []
    if cur:
        stmts.append("\n".join(cur).strip())
    keep = []
    for s in stmts:
        if s.startswith(DROP_PREFIXES) or re.search(r" OWNER TO [^;]*;$", s):
            continue
        keep.append(s)
    return sorted(keep)


def in_dollar_body(lines):
    text = "\n".join(lines)
    return len(re.findall(r"\$[A-Za-z_]*\$", text)) % 2 == 1


# Every case runs in one database, emptied first: what the cases create lies in
# schema public or is dropped here; dbkeeper lies in schema dbk, which stays.
RESET = ("DROP PUBLICATION IF EXISTS pub1, pub9; DROP CAST IF EXISTS (text AS integer);\n"
         "DROP FOREIGN DATA WRAPPER IF EXISTS w1 CASCADE;\n"
         "DROP SCHEMA public CASCADE; CREATE SCHEMA public;\n")


def state(db, sql, sessions=False):
    """(fingerprints, oracle statements), or (None, error text).  With sessions,
    the fingerprint also under odd settings and as a role with no privileges."""
    suffix = SUFFIX if sessions else "\\echo ==FP==\nSELECT dbk.dbkeeper_fingerprint();\n"
    p = psql(db, "SET client_min_messages = warning;\n" + RESET + "RESET client_min_messages;\n"
             + sql + "\n" + suffix, check=False)
    if p.returncode != 0 or "==FP==" not in p.stdout:
        err = [l for l in p.stderr.splitlines() if l.startswith("ERROR")]
        return None, err[0] if err else "error"
    out = p.stdout.split("==FP==\n", 1)[1].split()
    # -O, -x and --no-comments leave out what oracle_text drops anyway, and
    # spare pg_dump the work (the suite runs it some 300 times)
    d = subprocess.run(["pg_dump", "-s", "-O", "-x", "--no-comments", "-d", db], capture_output=True, text=True)
    if d.returncode != 0:
        raise RuntimeError(d.stderr)
    return out, oracle_text(d.stdout)

# ---- the generator -----------------------------------------------------------


TYPES = [  # (spellings, default values (first spelling, second spelling), varlena)
    (["integer", "int", "int4"], [("0", "(0)"), ("42", "'42'")], False),
    (["bigint", "int8"], [("7", "(7)")], False),
    (["text"], [("'x'", "'x'::text"), ("'Abc'", "('Abc')")], True),
    (["varchar(20)", "character varying(20)"], [("'v'", "'v'::varchar")], True),
    (["numeric(10,2)", "decimal(10,2)"], [("1.5", "(1.5)")], True),
    (["boolean", "bool"], [("true", "'t'")], False),
    (["timestamp with time zone", "timestamptz"], [("now()", "now()")], False),
    (["date"], [("'2024-01-02'", "'2024-01-02'::date")], False),
    (["jsonb"], [("'{}'", "'{}'::jsonb")], True),
]


class Schema:
    """A random schema: a list of objects, each rendered in either spelling."""

    def __init__(self, rnd):
        self.r = rnd
        self.tables = []      # (name, [(col, typeidx, notnull, default idx or None)], pk col)
        self.objects = []     # (kind, name, sql_a, sql_b, deps) in creation order
        self.build()

    def build(self):
        r = self.r
        self.has_enum = r.random() < 0.3
        if self.has_enum:
            self.add("type", "mood", "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');",
                     "create   type \"mood\" as enum('sad','ok','happy');")
        self.has_domain = r.random() < 0.3
        if self.has_domain:
            self.add("domain", "posint", "CREATE DOMAIN posint AS integer CHECK (VALUE > 0);",
                     "create domain PosInt as int4 constraint posint_check check(value>0);")
        for t in range(r.randint(1, 3)):
            self.add_table("t%d" % (t + 1), t)
        t0 = self.tables[0]
        if r.random() < 0.5:
            c = self.r.choice(t0[1])[0]
            self.add("index", "ix_" + c, f"CREATE INDEX ix_{c} ON {t0[0]} ({c});",
                     f"create index \"ix_{c}\" on \"{t0[0]}\" using btree(\"{c}\" asc);")
        if r.random() < 0.4:
            self.add("sequence", "seq1", "CREATE SEQUENCE seq1 INCREMENT 2 START 10;",
                     "create sequence seq1 increment by 2 start with 10 minvalue 1;")
        if r.random() < 0.4:
            self.add("function", "trg_fn",
                     "CREATE FUNCTION trg_fn() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;",
                     "create or replace function trg_fn() returns trigger as $b$BEGIN RETURN NEW; END$b$ language plpgsql;")
            self.add("trigger", "trg", f"CREATE TRIGGER trg BEFORE INSERT ON {t0[0]} FOR EACH ROW EXECUTE FUNCTION trg_fn();",
                     f"create trigger trg before insert on \"{t0[0]}\" for each row execute procedure trg_fn();")
        if r.random() < 0.5:
            cols = ", ".join(c[0] for c in t0[1])
            self.add("view", "v1", f"CREATE VIEW v1 AS SELECT {cols} FROM {t0[0]};",
                     f"create view \"v1\" as select {', '.join(t0[0] + '.' + c[0] for c in t0[1])} from \"{t0[0]}\";")
        if r.random() < 0.3:
            self.add("rule", "r1", f"CREATE RULE r1 AS ON DELETE TO {t0[0]} DO INSTEAD NOTHING;",
                     f"create rule \"r1\" as on delete to {t0[0]} do instead nothing;")
        if r.random() < 0.3:
            self.add("policy", "p1", f"CREATE POLICY p1 ON {t0[0]} USING (true);",
                     f"create policy p1 on \"{t0[0]}\" for all to public using (true);")
        self.has_typed = r.random() < 0.3
        if self.has_typed:
            self.add("type", "ct", "CREATE TYPE ct AS (a integer, b text);",
                     "create type ct as (a int4, b text);")
            self.add("table", "tx", "CREATE TABLE tx (a integer, b text);", "create table tx(a int, b text);")
        self.has_part = r.random() < 0.3
        if self.has_part:
            self.add("table", "pp", "CREATE TABLE pp (a integer, b integer) PARTITION BY RANGE (a);",
                     "create table pp(a int4, b int4) partition by range(a);")
            self.add("table", "pp1", "CREATE TABLE pp1 PARTITION OF pp FOR VALUES FROM (0) TO (100);",
                     "create table pp1 partition of pp for values from (0) to (100);")
            self.add("index", "ppi", "CREATE INDEX ppi ON ONLY pp (b);", "create index ppi on only pp using btree(b);")
            self.add("index", "pp1i", "CREATE INDEX pp1i ON pp1 (b);", "create index pp1i on pp1(b);")
        self.has_foreign = r.random() < 0.3
        if self.has_foreign:
            self.add("fdw", "w1", "CREATE FOREIGN DATA WRAPPER w1;", "create foreign data wrapper w1;")
            self.add("server", "s1", "CREATE SERVER s1 FOREIGN DATA WRAPPER w1; CREATE SERVER s2 FOREIGN DATA WRAPPER w1;",
                     "create server s1 foreign data wrapper w1; create server s2 foreign data wrapper w1;")
            self.add("foreign table", "ft", "CREATE FOREIGN TABLE ft (a integer, b text) SERVER s1 OPTIONS (k 'v');",
                     "create foreign table ft(a int4, b text) server s1 options (k 'v');")
        self.has_extras = r.random() < 0.4
        if self.has_extras:
            self.add("operator", "===", "CREATE OPERATOR === (FUNCTION = int4eq, LEFTARG = integer, RIGHTARG = integer);",
                     "create operator public.=== (procedure=int4eq, leftarg=int4, rightarg=int4);")
            self.add("collation", "coll1", "CREATE COLLATION coll1 (locale = 'C');",
                     "create collation coll1 (lc_collate = 'C', lc_ctype = 'C');")
            self.add("ts config", "tsc", "CREATE TEXT SEARCH CONFIGURATION tsc (COPY = english);",
                     "create text search configuration tsc (copy = pg_catalog.english);")
            self.add("function", "evt_fn",
                     "CREATE FUNCTION evt_fn() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;",
                     "create function evt_fn() returns event_trigger as $x$BEGIN END$x$ language plpgsql;")
            self.add("event trigger", "evt", "CREATE EVENT TRIGGER evt ON ddl_command_start EXECUTE FUNCTION evt_fn();",
                     "create event trigger \"evt\" on ddl_command_start execute procedure evt_fn();")
            c1, c2 = t0[1][0][0], t0[1][-1][0]
            self.add("statistics", "st1", f"CREATE STATISTICS st1 ON {c1}, {c2} FROM {t0[0]};",
                     f"create statistics st1 (ndistinct, dependencies, mcv) on {c1}, {c2} from {t0[0]};")
            self.add("publication", "pub1", f"CREATE PUBLICATION pub1 FOR TABLE {t0[0]};",
                     f"create publication pub1 for table only {t0[0]} with (publish = 'insert, update, delete, truncate');")

    def add(self, kind, name, a, b):
        self.objects.append((kind, name, a, b))

    def add_table(self, name, index):
        r = self.r
        cols = []
        for i in range(r.randint(2, 5)):
            ti = r.randrange(len(TYPES))
            dflt = r.randrange(len(TYPES[ti][1])) if r.random() < 0.4 else None
            cols.append(("c%d" % (i + 1), ti, r.random() < 0.3, dflt))
        if self.has_enum and r.random() < 0.5:
            cols.append(("m", None, False, None))
        pk = r.random() < 0.8
        self.tables.append((name, cols, pk))
        a_cols, b_cols = ["id integer" + (" PRIMARY KEY" if pk else "")], ["\"id\" int4" + (" primary key" if pk else "")]
        for (c, ti, nn, d) in cols:
            if ti is None:
                a_cols.append(f"{c} mood")
                b_cols.append(f"\"{c}\" public.mood")
                continue
            sp, dfl, _ = TYPES[ti]
            a = f"{c} {sp[0]}" + (" NOT NULL" if nn else "") + (f" DEFAULT {dfl[d][0]}" if d is not None else "")
            b = f"{c} {sp[-1].upper()}" + (f" default {dfl[d][1]}" if d is not None else "") + (" not null" if nn else "")
            a_cols.append(a)
            b_cols.append(b)
        extra_a, extra_b = [], []
        if r.random() < 0.4:
            c = r.choice(cols)[0]
            extra_a.append(f"CONSTRAINT {name}_{c}_check CHECK ({c} IS NOT NULL)")
            extra_b.append(f"ALTER TABLE {name} ADD CONSTRAINT {name}_{c}_check CHECK ((\"{c}\" is not null));")
        if index > 0 and self.tables[0][2] and r.random() < 0.6:
            extra_a.append(f"CONSTRAINT {name}_fk FOREIGN KEY (id) REFERENCES t1 (id) ON DELETE CASCADE")
            extra_b.append(f"alter table {name} add constraint {name}_fk foreign key (id) references t1 on delete cascade;")
        if r.random() < 0.3:
            c = r.choice(cols)[0]
            extra_a.append(f"CONSTRAINT {name}_{c}_key UNIQUE ({c})")
            extra_b.append(f"alter table only {name} add constraint {name}_{c}_key unique ({c});")
        a = f"CREATE TABLE {name} ({', '.join(a_cols + extra_a)});"
        b = f"create table \"{name}\" (\n  {(',' + chr(10) + '  ').join(b_cols)}\n);\n" + "\n".join(extra_b)
        self.add("table", name, a, b)

    def sql(self, spelling, keep=None):
        objs = [o for i, o in enumerate(self.objects) if keep is None or i in keep]
        return "\n".join(o[2] if spelling == "a" else o[3] for o in objs)

    # -- single changes ---------------------------------------------------------

    def changes(self):
        """Every single change that fits this schema, as SQL after it."""
        out = []
        for (t, cols, pk) in self.tables:
            for (c, ti, nn, d) in cols:
                varlena = ti is not None and TYPES[ti][2]
                out += [f"ALTER TABLE {t} ALTER {c} SET STATISTICS 500;",
                        f"ALTER TABLE {t} ALTER {c} SET (n_distinct = 100);",
                        f"ALTER TABLE {t} ALTER {c} SET (n_distinct_inherited = -0.5);",
                        f"ALTER TABLE {t} ALTER {c} {'DROP' if nn else 'SET'} NOT NULL;",
                        f"ALTER TABLE {t} RENAME {c} TO {c}_renamed;",
                        f"ALTER TABLE {t} DROP COLUMN {c};",
                        f"CREATE INDEX ON {t} ({c});",
                        f"CREATE INDEX ON {t} ({c} DESC NULLS LAST);",
                        f"CREATE INDEX ON {t} USING hash ({c});" if ti is not None else f"CREATE INDEX ON {t} ({c});",
                        f"ALTER TABLE {t} ADD CONSTRAINT chk_{c} CHECK ({c} IS NULL OR id > 0);"]
                if d is not None:
                    out.append(f"ALTER TABLE {t} ALTER {c} DROP DEFAULT;")
                elif ti is not None:
                    out.append(f"ALTER TABLE {t} ALTER {c} SET DEFAULT {TYPES[ti][1][0][0]};")
                if varlena:
                    out += [f"ALTER TABLE {t} ALTER {c} SET STORAGE external;",
                            f"ALTER TABLE {t} ALTER {c} SET STORAGE main;",
                            f"ALTER TABLE {t} ALTER {c} SET COMPRESSION pglz;",
                            f"ALTER TABLE {t} ALTER {c} SET COMPRESSION lz4;"]
                if ti is not None and TYPES[ti][0][0] == "text":
                    out += [f"ALTER TABLE {t} ALTER {c} TYPE text COLLATE \"C\";",
                            f"ALTER TABLE {t} ALTER {c} TYPE varchar(30);"]
                if ti is not None and TYPES[ti][0][0] == "integer":
                    out += [f"ALTER TABLE {t} ALTER {c} TYPE bigint;",
                            f"ALTER TABLE {t} ALTER {c} ADD GENERATED BY DEFAULT AS IDENTITY;" if nn else
                            f"ALTER TABLE {t} ALTER {c} SET DEFAULT 1;"]
            out += [f"ALTER TABLE {t} ADD COLUMN z integer;",
                    f"ALTER TABLE {t} SET (fillfactor = 70);",
                    f"ALTER TABLE {t} SET (autovacuum_enabled = false);",
                    f"ALTER TABLE {t} SET (toast.autovacuum_enabled = false);",
                    f"ALTER TABLE {t} SET (toast.vacuum_truncate = false);",
                    f"ALTER TABLE {t} REPLICA IDENTITY FULL;",
                    f"ALTER TABLE {t} REPLICA IDENTITY NOTHING;",
                    f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;",
                    f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY;",
                    f"ALTER TABLE {t} SET UNLOGGED;",
                    f"ALTER TABLE {t} RENAME TO {t}_renamed;",
                    f"CREATE TABLE {t}_child () INHERITS ({t});"]
            if pk:
                out += [f"ALTER TABLE {t} REPLICA IDENTITY USING INDEX {t}_pkey;",
                        f"ALTER TABLE {t} CLUSTER ON {t}_pkey;",
                        f"ALTER INDEX {t}_pkey SET (fillfactor = 80);",
                        f"ALTER TABLE {t} RENAME CONSTRAINT {t}_pkey TO {t}_pk2;"]
        t0 = self.tables[0][0]
        for (kind, name, a, b) in self.objects:
            if kind == "index" and name.startswith("ix_"):
                out += [f"ALTER INDEX {name} SET (fillfactor = 60);", f"ALTER TABLE {t0} CLUSTER ON {name};",
                        f"DROP INDEX {name};"]
            if kind == "trigger":
                out += [f"ALTER TABLE {t0} DISABLE TRIGGER trg;", f"ALTER TABLE {t0} ENABLE REPLICA TRIGGER trg;",
                        f"ALTER TABLE {t0} ENABLE ALWAYS TRIGGER trg;"]
            if kind == "rule":
                out += [f"ALTER TABLE {t0} DISABLE RULE r1;", f"ALTER TABLE {t0} ENABLE REPLICA RULE r1;"]
            if kind == "view":
                c = self.tables[0][1][0][0]
                out += [f"ALTER VIEW v1 ALTER {c} SET DEFAULT 5;" if self.tables[0][1][0][1] in (0, 1) else
                        "ALTER VIEW v1 ALTER id SET DEFAULT 5;",
                        "ALTER VIEW v1 SET (security_barrier = true);",
                        "ALTER VIEW v1 SET (check_option = local);"]
            if kind == "sequence":
                out += ["ALTER SEQUENCE seq1 CACHE 5;", "ALTER SEQUENCE seq1 CYCLE;", "ALTER SEQUENCE seq1 MAXVALUE 1000;"]
            if kind == "policy":
                out += [f"ALTER POLICY p1 ON {t0} USING (false);", f"ALTER POLICY p1 ON {t0} TO mut_nobody;"]
            if kind == "domain":
                out += ["ALTER DOMAIN posint SET DEFAULT 1;", "ALTER DOMAIN posint SET NOT NULL;"]
            if kind == "type" and name == "mood":
                out += ["ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';"]
            if kind == "type" and name == "ct":
                out += ["ALTER TABLE tx OF ct;"]
            if kind == "index" and name == "pp1i":
                out += ["ALTER INDEX ppi ATTACH PARTITION pp1i;"]
            if kind == "foreign table":
                out += ["ALTER FOREIGN TABLE ft OPTIONS (SET k 'w');", "ALTER FOREIGN TABLE ft OPTIONS (ADD k2 'v');",
                        "ALTER FOREIGN TABLE ft ALTER a OPTIONS (ADD column_name 'x');",
                        "DROP FOREIGN TABLE ft; CREATE FOREIGN TABLE ft (a integer, b text) SERVER s2 OPTIONS (k 'v');"]
            if kind == "operator":
                out += ["ALTER OPERATOR === (integer, integer) SET (RESTRICT = eqsel, JOIN = eqjoinsel);",
                        "DROP OPERATOR === (integer, integer); CREATE OPERATOR === (FUNCTION = int4eq, LEFTARG = integer, "
                        "RIGHTARG = integer, COMMUTATOR = ===, HASHES, MERGES);"]
            if kind == "collation":
                out += ["DROP COLLATION coll1; CREATE COLLATION coll1 (locale = 'C.UTF-8');",
                        "DROP COLLATION coll1; CREATE COLLATION coll1 (provider = icu, locale = 'und');"]
            if kind == "ts config":
                out += ["ALTER TEXT SEARCH CONFIGURATION tsc DROP MAPPING FOR email;",
                        "ALTER TEXT SEARCH CONFIGURATION tsc ALTER MAPPING FOR asciiword WITH simple;",
                        "CREATE TEXT SEARCH DICTIONARY d1 (TEMPLATE = simple, STOPWORDS = english);"]
            if kind == "event trigger":
                out += ["ALTER EVENT TRIGGER evt DISABLE;", "ALTER EVENT TRIGGER evt ENABLE ALWAYS;",
                        "DROP EVENT TRIGGER evt; CREATE EVENT TRIGGER evt ON ddl_command_start "
                        "WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION evt_fn();"]
            if kind == "statistics":
                out += ["ALTER STATISTICS st1 SET STATISTICS 50;",
                        f"DROP STATISTICS st1; CREATE STATISTICS st1 (ndistinct) ON id, {self.tables[0][1][0][0]} FROM {t0};"]
            if kind == "publication":
                out += ["ALTER PUBLICATION pub1 SET (publish = 'insert');",
                        "ALTER PUBLICATION pub1 SET (publish_via_partition_root = true);",
                        f"ALTER PUBLICATION pub1 SET TABLE {t0} WHERE (id > 5);",
                        f"ALTER PUBLICATION pub1 SET TABLE {t0} (id);",
                        "ALTER PUBLICATION pub1 ADD TABLES IN SCHEMA public;"]
        out += ["CREATE CAST (text AS integer) WITH INOUT AS ASSIGNMENT;",
                "CREATE OPERATOR ### (FUNCTION = int4pl, LEFTARG = integer, RIGHTARG = integer);",
                "CREATE COLLATION coll9 (locale = 'C');",
                "CREATE TEXT SEARCH CONFIGURATION tsc9 (COPY = simple);",
                f"CREATE STATISTICS st9 ON id, {self.tables[0][1][0][0]} FROM {t0};",
                "CREATE PUBLICATION pub9 FOR ALL TABLES;",
                "CREATE FUNCTION evt9() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$; "
                "CREATE EVENT TRIGGER evt9 ON sql_drop EXECUTE FUNCTION evt9();"]
        return out

# ---- the run -------------------------------------------------------------------


def line(ok, cid, text):
    print(("PASS" if ok else "FAIL") + f" {SUITE}/{cid} {text}", flush=True)


def shrink(db, schema, spelling, change, still_bad):
    """The fewest of schema's objects with which still_bad(db, base_sql, change) holds."""
    keep = list(range(len(schema.objects)))
    shrunk = True
    while shrunk:               # again until nothing more goes: a table may go once its trigger has
        shrunk = False
        i = 0
        while i < len(keep):
            trial = keep[:i] + keep[i + 1:]
            if still_bad(db, schema.sql(spelling, trial), change):
                keep = trial
                shrunk = True
            else:
                i += 1
    return schema.sql(spelling, keep)


def is_miss(db, base, change):
    s0, s1 = state(db, base), state(db, base + "\n" + change)
    return s0[0] is not None and s1[0] is not None and s0[1] != s1[1] and s0[0][0] == s1[0][0]


def is_false_alarm(db, base, change):
    s0, s1 = state(db, base), state(db, base + "\n" + change)
    return s0[0] is not None and s1[0] is not None and s0[1] == s1[1] and s0[0][0] != s1[0][0]


def run_schema(db, n, schema, changes):
    """Checks one schema in database db: (counts, problems, notes)."""
    counts = dict.fromkeys(("equal", "changes", "seen", "same_oracle", "invalid", "sessions", "broken"), 0)
    problems, notes = [], []
    fa, oa = state(db, schema.sql("a"), True)
    fb, ob = state(db, schema.sql("b"), True)
    if fa is None or fb is None:
        counts["broken"] += 1
        problems.append(f"generator: schema {n} does not load: {oa if fa is None else ob}")
        return counts, problems, notes
    # three sessions (plain, odd settings, a role with no privileges): one fingerprint
    counts["sessions"] += 2
    if len(set(fa)) != 1 or len(set(fb)) != 1:
        problems.append(f"session: schema {n}: fingerprints {fa} {fb} under odd settings or as a role "
                        f"with no privileges\n{schema.sql('a')}")
    counts["equal"] += 1
    if oa != ob:
        counts["same_oracle"] += 1     # pg_dump tells the spellings apart: not an equal pair
        notes.append(f"# schema {n}: pg_dump tells the two spellings apart:\n#   "
                     + "\n#   ".join(sorted(set(oa) ^ set(ob))).replace("\n", "\n#   "))
    elif fa[0] != fb[0]:
        problems.append("false alarm: two spellings of one schema differ:\n--- a\n" + schema.sql("a")
                        + "\n--- b\n" + schema.sql("b"))
    for change in changes:
        fc, oc = state(db, schema.sql("a") + "\n" + change)
        if fc is None:
            counts["invalid"] += 1      # the change does not apply to this schema
            continue
        counts["changes"] += 1
        if oc == oa and fc[0] != fa[0]:
            base = shrink(db, schema, "a", change, is_false_alarm)
            problems.append(f"false alarm: pg_dump sees no change, the fingerprint does:\n{base}\n-- change:\n{change}")
        elif oc != oa and fc[0] == fa[0]:
            base = shrink(db, schema, "a", change, is_miss)
            diff = sorted(set(oc) ^ set(oa))
            problems.append(f"miss: pg_dump sees a change, the fingerprint does not:\n{base}\n-- change:\n{change}"
                            "\n-- pg_dump:\n" + "\n".join(diff))
        elif oc != oa:
            counts["seen"] += 1
    return counts, problems, notes


def main():
    start = time.time()
    dbs = [f"{DB}{w}" for w in range(WORKERS)]
    psql("postgres", "".join(f"DROP DATABASE IF EXISTS {d};\nCREATE DATABASE {d};\n" for d in dbs)
         + "DO $$BEGIN CREATE ROLE mut_nobody; EXCEPTION WHEN duplicate_object THEN END$$;\n")
    for d in dbs:
        psql(d, "CREATE SCHEMA dbk; CREATE EXTENSION dbkeeper SCHEMA dbk; GRANT USAGE ON SCHEMA dbk TO mut_nobody;")
    # every schema and its changes are drawn first, so that the seed alone decides them
    rnd = random.Random(SEED)
    work = []
    for n in range(SCHEMAS):
        schema = Schema(rnd)
        changes = schema.changes()
        rnd.shuffle(changes)
        work.append((n, schema, changes[:CHANGES]))
    queue = list(work)
    lock = threading.Lock()
    results = {}

    def worker(db):
        while True:
            with lock:
                if not queue:
                    return
                n, schema, changes = queue.pop(0)
            results[n] = run_schema(db, n, schema, changes)

    threads = [threading.Thread(target=worker, args=(d,)) for d in dbs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = dict.fromkeys(("equal", "changes", "seen", "same_oracle", "invalid", "sessions", "broken"), 0)
    problems = []
    for n in sorted(results):
        c, p, notes = results[n]
        for k in counts:
            counts[k] += c[k]
        problems += p
        for note in notes:
            print(note)
    elapsed = time.time() - start
    for i, p in enumerate(problems):
        line(False, f"case-{i + 1}", "\n    " + p.replace("\n", "\n    "))
    line(not problems and len(results) == SCHEMAS, "all",
         f"seed {SEED}: {counts['equal']} schemas in two spellings, {counts['changes']} single changes "
         f"({counts['seen']} seen by pg_dump and the fingerprint), {counts['sessions']} odd sessions; "
         f"{len(problems)} misses, false alarms or broken schemas ({counts['invalid']} changes did not apply, "
         f"{counts['same_oracle']} spelling pairs pg_dump told apart)")
    # A duration, never a check: timings depend on the machine's load.
    print(f"note: {SUITE} took {elapsed:.0f} s", flush=True)
    psql("postgres", "".join(f"DROP DATABASE IF EXISTS {d};\n" for d in dbs))


main()
