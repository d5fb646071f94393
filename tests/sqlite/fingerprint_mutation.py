#!/usr/bin/env python3
"""Mutation test of dbkeeper's SQLite schema fingerprint.

usage: fingerprint_mutation.py EXTENSION [CASES [SEED]]

Random table schemas (seeded, reproducible) are written twice in different
spellings (keyword case, identifier quoting, whitespace, constraint
placement, ON CONFLICT ABORT written out, FOR EACH ROW, AUTOINCREMENT
placement, DEFAULT 'Abc' / Abc / "Abc", CHECK strings in double quotes, an
index COLLATE equal to the column's, blob hex case, MATCH, DEFERRABLE
INITIALLY IMMEDIATE, creation order), then changed one property at a time.

The oracle never calls dbkeeper: it reads SQLite's pragmas (table_list,
table_xinfo, index_list, index_xinfo, foreign_key_list) and probes behaviour
with inserts on a copy (DEFAULT VALUES, duplicates, NULLs, case variants,
rowid reuse, a foreign key violated inside a transaction), comparing
outcomes and stored rows.  Two databases whose oracle signatures are equal
behave the same; different ones do not.

A miss is a pair with one fingerprint and different signatures; a false
alarm, equal signatures and different fingerprints.  Each is printed shrunk
(columns, indexes and triggers the difference does not need removed) as a
FAIL line with both schemas; the run ends with one PASS line per kind of
check when none failed.
"""
import copy
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

EXT = sys.argv[1]
CASES = int(sys.argv[2]) if len(sys.argv) > 2 else 300
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 23
WORDS = ["Abc", "abc", "Active", "ACTIVE", "New", "nEw", "x1"]
TYPES = ["INTEGER", "TEXT", "REAL", "INT", "NUMERIC", "BLOB", ""]
CONFLICTS = [None, "ROLLBACK", "FAIL", "IGNORE", "REPLACE"]
ACTIONS = ["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]
COLLATIONS = [None, "NOCASE", "RTRIM"]


# ---- the model -------------------------------------------------------------

def gen_column(r, i):
    c = {"name": "c%d" % i, "type": r.choice(TYPES), "notnull": r.random() < 0.3,
         "nn_conf": r.choice(CONFLICTS), "default": None, "collate": r.choice(COLLATIONS),
         "unique": r.random() < 0.35, "uq_conf": r.choice(CONFLICTS), "check": None, "fk": None}
    k = r.random()
    if k < 0.35:
        c["default"] = ("str", r.choice(WORDS))
    elif k < 0.45:
        c["default"] = ("num", r.choice(["0", "1", "-5", "2.5"]))
    elif k < 0.5:
        c["default"] = ("blob", r.choice(["aB", "00", "Ff"]))
    if r.random() < 0.3:
        c["check"] = r.sample(WORDS, r.randint(1, 3))
    if r.random() < 0.15:
        c["fk"] = {"on_delete": r.choice(ACTIONS), "on_update": r.choice(ACTIONS),
                   "deferred": r.random() < 0.5}
    return c


def gen_table(r, name):
    cols = [gen_column(r, i) for i in range(r.randint(1, 5))]
    t = {"name": name, "cols": cols, "pk": None, "without_rowid": False, "indexes": [],
         "trigger": None}
    if r.random() < 0.8:
        keys = r.sample([c["name"] for c in cols], r.randint(1, min(2, len(cols))))
        if len(keys) == 1 and r.random() < 0.4:
            # An INTEGER key may be a rowid alias, which takes integers only.
            col(t, keys[0]).update(type="INTEGER", check=None, default=None)
        t["pk"] = {"cols": keys, "desc": [r.random() < 0.3 for _ in keys],
                   "coll": [r.choice(COLLATIONS) for _ in keys], "conflict": r.choice(CONFLICTS),
                   "autoinc": False, "place": r.choice(["column", "table"])}
        pk = t["pk"]
        if pk["place"] == "column":
            pk["cols"], pk["desc"], pk["coll"] = pk["cols"][:1], pk["desc"][:1], [None]
        if is_ipk(t) and r.random() < 0.4:
            pk["autoinc"] = True
        elif not is_ipk(t) and r.random() < 0.2:
            t["without_rowid"] = True
    # A UNIQUE over primary key columns makes one of the two conflict clauses
    # unreachable (and SQLite merges equal ones): such redundant pairs are
    # described although they cannot differ in behaviour, so none is made.
    for c in cols:
        c["unique"] = c["unique"] and not in_pk(t, c["name"])
    for i in range(r.randint(0, 2)):
        keys = [(c, r.choice([None] + COLLATIONS), r.random() < 0.3)
                for c in r.sample([c["name"] for c in cols], r.randint(1, min(2, len(cols))))]
        t["indexes"].append({"name": "%s_i%d" % (name, i), "keys": keys,
                             "unique": r.random() < 0.3 and not any(in_pk(t, k[0]) or col(t, k[0])["unique"]
                                                                    for k in keys)})
    if r.random() < 0.3:
        t["trigger"] = {"timing": r.choice(["BEFORE", "AFTER"]), "tag": r.choice(WORDS)}
    return t


def col(t, name):
    return next(c for c in t["cols"] if c["name"] == name)


def in_pk(t, name):
    return t["pk"] is not None and name in t["pk"]["cols"]


def is_ipk(t):
    """SQLite's rule for a rowid alias."""
    pk = t["pk"]
    return (pk is not None and len(pk["cols"]) == 1 and not t["without_rowid"]
            and col(t, pk["cols"][0])["type"] == "INTEGER"
            and not (pk["place"] == "column" and pk["desc"][0]))


def valid_model(t):
    pk = t["pk"]
    if t["without_rowid"] and (pk is None or pk["autoinc"]):
        return False
    if pk and pk["autoinc"] and not is_ipk(t):
        return False
    return True


# ---- mutations: one property each ------------------------------------------

def mutations(t):
    """(description, function changing a copy of t in place) for t."""
    out = []
    for c in t["cols"]:
        n = c["name"]

        def setter(key, value, n=n):
            return lambda m: col(m, n).__setitem__(key, value)
        out.append(("type of %s" % n, setter("type", "TEXT" if c["type"] != "TEXT" else "INTEGER")))
        out.append(("NOT NULL of %s" % n, setter("notnull", not c["notnull"])))
        if c["notnull"]:
            out.append(("NOT NULL ON CONFLICT of %s" % n,
                        setter("nn_conf", "IGNORE" if c["nn_conf"] != "IGNORE" else None)))
        if c["default"] and c["default"][0] == "str":
            out.append(("case of DEFAULT of %s" % n, setter("default", ("str", c["default"][1].swapcase()))))
        out.append(("DEFAULT of %s" % n, setter("default", None if c["default"] else ("num", "3"))))
        out.append(("COLLATE of %s" % n, setter("collate", "NOCASE" if c["collate"] != "NOCASE" else None)))
        in_unique_index = any(ix["unique"] and n in [k[0] for k in ix["keys"]] for ix in t["indexes"])
        if not in_pk(t, n) and not in_unique_index:
            out.append(("UNIQUE of %s" % n, setter("unique", not c["unique"])))
        if c["unique"] and not in_unique_index:
            out.append(("UNIQUE ON CONFLICT of %s" % n,
                        setter("uq_conf", "IGNORE" if c["uq_conf"] != "IGNORE" else "REPLACE")))
        if c["check"] and c["collate"] != "NOCASE":	# under NOCASE the case changes nothing
            out.append(("case of a CHECK string of %s" % n,
                        setter("check", [c["check"][0].swapcase()] + c["check"][1:])))
            out.append(("last CHECK value of %s" % n, setter("check", c["check"][:-1] + ["zz"])))
        if c["fk"]:
            fk = c["fk"]
            out.append(("DEFERRABLE of the foreign key of %s" % n,
                        setter("fk", dict(fk, deferred=not fk["deferred"]))))
            out.append(("ON DELETE of the foreign key of %s" % n,
                        setter("fk", dict(fk, on_delete="CASCADE" if fk["on_delete"] != "CASCADE" else "RESTRICT"))))
    pk = t["pk"]
    if pk:
        def pkset(key, value):
            return lambda m: m["pk"].__setitem__(key, value)
        out.append(("PRIMARY KEY ON CONFLICT", pkset("conflict", "REPLACE" if pk["conflict"] != "REPLACE" else None)))
        out.append(("DESC of the first PRIMARY KEY key", pkset("desc", [not pk["desc"][0]] + pk["desc"][1:])))
        if pk["place"] == "table":
            out.append(("COLLATE of the first PRIMARY KEY key",
                        pkset("coll", ["NOCASE" if pk["coll"][0] != "NOCASE" else "BINARY"] + pk["coll"][1:])))
        if is_ipk(t) and not t["without_rowid"]:
            out.append(("AUTOINCREMENT", pkset("autoinc", not pk["autoinc"])))
        if not pk["autoinc"]:
            out.append(("WITHOUT ROWID", lambda m: m.__setitem__("without_rowid", not m["without_rowid"])))
    for i, ix in enumerate(t["indexes"]):
        def ixset(key, value, i=i):
            return lambda m: m["indexes"][i].__setitem__(key, value)
        if not any(in_pk(t, k[0]) or col(t, k[0])["unique"] for k in ix["keys"]):
            out.append(("UNIQUE of index %s" % ix["name"], ixset("unique", not ix["unique"])))
        k0 = ix["keys"][0]
        out.append(("DESC of index %s" % ix["name"], ixset("keys", [(k0[0], k0[1], not k0[2])] + ix["keys"][1:])))
        out.append(("COLLATE of index %s" % ix["name"],
                    ixset("keys", [(k0[0], "NOCASE" if k0[1] != "NOCASE" else "RTRIM", k0[2])] + ix["keys"][1:])))
    if t["trigger"]:
        out.append(("trigger's string case", lambda m: m["trigger"].__setitem__("tag", m["trigger"]["tag"].swapcase())))
    return out


# ---- rendering: one model, many spellings ------------------------------------

def word_safe(v):
    return v.replace("_", "").isalnum() and v.lower() not in ("null", "true", "false") and not v[0].isdigit()


class Spelling:
    def __init__(self, r):
        self.r = r
        self.upper = r.random() < 0.5
        self.quote = r.choice(["", '"', "[", "`", ""])
        self.upper_names = r.random() < 0.3
        self.sep = r.choice([" ", "  ", "\n  ", " /* c */ "])
        self.explicit_abort = r.random() < 0.5
        self.for_each_row = r.random() < 0.5
        self.default_style = r.choice(["'", "word", '"'])
        self.dq_check = r.random() < 0.5
        self.explicit_index_collate = r.random() < 0.5
        self.blob_upper = r.random() < 0.5
        self.match = r.random() < 0.5
        self.immediate = r.random() < 0.5
        self.table_level = r.random() < 0.5
        self.autoinc_in_table_pk = r.random() < 0.5
        self.table_pk_desc_on_ipk = r.random() < 0.5
        self.reverse = r.random() < 0.5	# drawn here: rendering again while shrinking draws nothing

    def kw(self, s):
        return s.upper() if self.upper else s.lower()

    def id(self, n):
        if self.upper_names:
            n = n.upper()
        q = self.quote
        return n if not q else (q + n + ("]" if q == "[" else q))

    def conflict(self, c):
        if c:
            return " " + self.kw("ON CONFLICT " + c)
        return " " + self.kw("ON CONFLICT ABORT") if self.explicit_abort else ""


def sql_str(v):
    return "'" + v.replace("'", "''") + "'"


def render_table(t, sp):
    s = sp.sep
    # When ON CONFLICT clauses differ, a row breaking two constraints meets
    # the one declared first: then the placement is not a mere spelling.
    conflicts = {c["uq_conf"] for c in t["cols"] if c["unique"]} | ({t["pk"]["conflict"]} if t["pk"] else set())
    mixed = len(conflicts) > 1
    if mixed:
        sp = copy.copy(sp)
        sp.table_level = False
    items, tail = [], []
    pk = t["pk"]
    ipk = is_ipk(t)
    for c in t["cols"]:
        parts = [sp.id(c["name"])]
        if c["type"]:
            parts.append(sp.kw(c["type"]))
        if c["notnull"]:
            parts.append(sp.kw("NOT NULL") + sp.conflict(c["nn_conf"]))
        d = c["default"]
        if d:
            if d[0] == "str":
                style = sp.default_style if word_safe(d[1]) else "'"
                v = {"'": sql_str(d[1]), "word": d[1], '"': '"' + d[1] + '"'}[style]
            elif d[0] == "blob":
                v = ("X'" if sp.blob_upper else "x'") + (d[1].upper() if sp.blob_upper else d[1].lower()) + "'"
            else:
                v = d[1]
            parts.append(sp.kw("DEFAULT") + " " + v)
        if c["collate"]:
            parts.append(sp.kw("COLLATE ") + c["collate"])
        on_column_pk = pk and pk["place"] == "column" and pk["cols"][0] == c["name"]
        # A single-key table-level PRIMARY KEY is the same on the column, unless DESC there changes the rowid alias.
        movable = (pk and pk["place"] == "table" and len(pk["cols"]) == 1 and pk["cols"][0] == c["name"]
                   and (pk["coll"][0] or c["collate"]) == c["collate"] and not sp.table_level and not mixed
                   and not (col(t, c["name"])["type"] == "INTEGER" and pk["desc"][0])
                   and not (pk["autoinc"] and sp.autoinc_in_table_pk))
        if on_column_pk or movable:
            desc = pk["desc"][0] and not (ipk and movable)
            parts.append(sp.kw("PRIMARY KEY") + (sp.kw(" DESC") if desc else "") + sp.conflict(pk["conflict"])
                         + (sp.kw(" AUTOINCREMENT") if pk["autoinc"] else ""))
        if c["unique"]:
            if sp.table_level:
                tail.append(sp.kw("UNIQUE") + "(" + sp.id(c["name"]) + ")" + sp.conflict(c["uq_conf"]))
            else:
                parts.append(sp.kw("UNIQUE") + sp.conflict(c["uq_conf"]))
        if c["check"]:
            names = {x["name"].lower() for x in t["cols"]}
            vals = ", ".join(('"%s"' % v) if sp.dq_check and word_safe(v) and v.lower() not in names else sql_str(v)
                             for v in c["check"])
            chk = sp.kw("CHECK") + " (" + sp.id(c["name"]) + " " + sp.kw("IN") + " (" + vals + "))"
            (tail if sp.table_level else parts).append(chk)
        if c["fk"]:
            fk = c["fk"]
            ref = (sp.kw("REFERENCES ") + sp.id("p") + "(" + sp.id("id") + ")"
                   + (sp.kw(" MATCH SIMPLE") if sp.match else "")
                   + sp.kw(" ON DELETE " + fk["on_delete"] + " ON UPDATE " + fk["on_update"])
                   + (sp.kw(" DEFERRABLE INITIALLY DEFERRED") if fk["deferred"] else
                      (sp.kw(" DEFERRABLE INITIALLY IMMEDIATE") if sp.immediate else "")))
            if sp.table_level:
                tail.append(sp.kw("FOREIGN KEY") + "(" + sp.id(c["name"]) + ") " + ref)
            else:
                parts.append(ref)
        items.append((s).join(parts))
    if pk and pk["place"] == "table" and not any(
            ("PRIMARY KEY" in i.upper()) for i in items):
        keys = []
        for k, n in enumerate(pk["cols"]):
            key = sp.id(n)
            coll = pk["coll"][k]
            if coll:
                key += sp.kw(" COLLATE ") + coll
            if pk["desc"][k] and not (ipk and sp.table_pk_desc_on_ipk is False and False):
                key += sp.kw(" DESC")
            keys.append(key)
        if pk["autoinc"]:
            keys[-1] += sp.kw(" AUTOINCREMENT")
        tail.insert(0, sp.kw("PRIMARY KEY") + "(" + ", ".join(keys) + ")" + sp.conflict(pk["conflict"]))
    body = ("," + s).join(items + tail)
    sql = sp.kw("CREATE TABLE ") + sp.id(t["name"]) + "(" + s + body + s + ")"
    if t["without_rowid"]:
        sql += sp.kw(" WITHOUT ROWID")
    out = [sql]
    for ix in t["indexes"]:
        keys = []
        for (n, coll, desc) in ix["keys"]:
            key = sp.id(n)
            column_coll = col(t, n)["collate"]
            if coll:
                key += sp.kw(" COLLATE ") + coll
            elif sp.explicit_index_collate:
                key += sp.kw(" COLLATE ") + (column_coll or "BINARY")
            keys.append(key + (sp.kw(" DESC") if desc else ""))
        out.append(sp.kw("CREATE UNIQUE INDEX " if ix["unique"] else "CREATE INDEX ") + sp.id(ix["name"])
                   + sp.kw(" ON ") + sp.id(t["name"]) + "(" + ", ".join(keys) + ")")
    if t["trigger"]:
        tr = t["trigger"]
        out.append(sp.kw("CREATE TRIGGER ") + sp.id(t["name"] + "_log") + " " + sp.kw(tr["timing"] + " INSERT ON ")
                   + sp.id(t["name"]) + (sp.kw(" FOR EACH ROW") if sp.for_each_row else "")
                   + sp.kw(" BEGIN INSERT INTO ") + sp.id("log") + sp.kw(" VALUES") + "(" + sql_str(tr["tag"])
                   + ");" + sp.kw(" END"))
    return out


def render(model, sp):
    stmts = [sp.kw("CREATE TABLE ") + sp.id("p") + "(" + sp.id("id") + sp.kw(" INTEGER PRIMARY KEY") + ")",
             sp.kw("CREATE TABLE ") + sp.id("log") + "(" + sp.id("tag") + ")"]
    for t in model:
        stmts.extend(render_table(t, sp))
    if sp.reverse:
        stmts.reverse()			# the order of creation
        stmts.sort(key=lambda x: "INDEX" in x.upper() or "TRIGGER" in x.upper())
    return stmts


# ---- the oracle: pragmas and behaviour, no dbkeeper ----------------------------

def value_for(c, k):
    if c["check"]:
        return c["check"][0]
    if c["fk"]:
        return 1			# the parent row the probes insert
    return {"INTEGER": k, "INT": k, "REAL": k + 0.5, "NUMERIC": k, "BLOB": b"\x01"}.get(c["type"], "Abc%d" % k)


def fresh_value(c, k):
    """A value of c's type unlike value_for's, CHECKs and foreign keys aside."""
    return {"INTEGER": k, "INT": k, "REAL": k + 0.5, "NUMERIC": k, "BLOB": bytes([k])}.get(c["type"], "Abc%d" % k)


def outcome(con, sql, args=()):
    try:
        con.execute(sql, args)
        return "ok"
    except sqlite3.Error as e:
        return "error " + str(e).split(":")[0].lower()


def in_transaction(con, q, ins_many, rows, values):
    """A multi-row insert after another change in a transaction: tells ROLLBACK, ABORT and FAIL apart."""
    con.execute("BEGIN")
    con.execute("INSERT INTO log VALUES ('marker')")
    got = outcome(con, ins_many, [v for row in values for v in row])
    state = (got, con.in_transaction, con.execute("SELECT count(*) FROM log").fetchone()[0], rows())
    if con.in_transaction:
        con.execute("ROLLBACK")
    return state


def signature(path, model):
    con = sqlite3.connect(path, isolation_level=None)
    sig = []
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY lower(name)")]
    for n in names:
        sig.append(("table", n.lower(), list(con.execute(
            "SELECT type, ncol, wr, strict FROM pragma_table_list WHERE name = ?", (n,)))))
        sig.append(("columns", [(a.lower(), b.upper(), c, d, e) for a, b, c, d, e in con.execute(
            "SELECT name, type, \"notnull\", pk, hidden FROM pragma_table_xinfo(?)", (n,))]))
        idx = []
        for iname, uniq, origin, partial in con.execute(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)", (n,)):
            keys = [(k.lower() if k else k, d, coll.upper()) for k, d, coll in con.execute(
                "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno", (iname,))]
            idx.append((iname.lower() if origin == "c" else "", uniq, origin, partial, keys))
        sig.append(("indexes", sorted(idx)))
        fks = {}
        for i, tab, frm, to, upd, dele in con.execute(
                "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list(?)", (n,)):
            fks.setdefault(i, []).append((tab.lower(), frm.lower(), to.lower() if to else None, upd, dele))
        sig.append(("fks", sorted(fks.values())))
    con.close()
    # Column collations, which no pragma gives for a column: an index on each, on a copy.
    probe = path + ".coll"
    shutil.copy(path, probe)
    con = sqlite3.connect(probe, isolation_level=None)
    for t in model:
        for c in t["cols"]:
            con.execute('CREATE INDEX "probe_%s" ON "%s"("%s")' % (c["name"], t["name"], c["name"]))
            sig.append(("collation", c["name"], list(con.execute(
                "SELECT upper(coll) FROM pragma_index_xinfo(?) WHERE key", ("probe_" + c["name"],)))))
    con.close()
    os.remove(probe)
    # Behaviour, on a copy.
    probe = path + ".probe"
    shutil.copy(path, probe)
    con = sqlite3.connect(probe, isolation_level=None)
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA journal_mode = MEMORY")
    con.execute("INSERT INTO p VALUES (1)")
    for t in model:
        q = '"%s"' % t["name"]
        # With the rowid where there is one: REPLACE deletes and inserts anew.
        rowid = "" if con.execute("SELECT wr FROM pragma_table_list WHERE name = ? COLLATE NOCASE", (t["name"],)).fetchone()[0] \
            else "rowid, "
        rows = lambda: [tuple(repr(v) for v in r) for r in con.execute(
            "SELECT %s* FROM %s ORDER BY 1, 2" % (rowid, q) if len(t["cols"]) > 1 or rowid
            else "SELECT * FROM %s ORDER BY 1" % q)]
        cols = t["cols"]
        ins = "INSERT INTO %s(%s) VALUES (%s)" % (q, ", ".join('"%s"' % c["name"] for c in cols),
                                                   ", ".join("?" for _ in cols))
        base = [7 if is_ipk(t) and c["name"] == t["pk"]["cols"][0] else value_for(c, 7) for c in cols]

        def reset():
            con.execute("DELETE FROM %s" % q)
            con.execute("DELETE FROM log")

        sig.append(("default row", outcome(con, "INSERT INTO %s DEFAULT VALUES" % q), rows()))
        reset()
        # Each DEFAULT alone, and each column's variants, also with CHECKs and
        # foreign keys off, so that one constraint does not hide another.
        for relaxed in (False, True):
            con.execute("PRAGMA ignore_check_constraints = %d" % relaxed)
            con.execute("PRAGMA foreign_keys = %d" % (not relaxed))
            for i in range(len(cols)):
                others = [k for k in range(len(cols)) if k != i]
                if others:
                    sig.append(("default", relaxed, cols[i]["name"], outcome(
                        con, "INSERT INTO %s(%s) VALUES (%s)" % (q, ", ".join('"%s"' % cols[k]["name"] for k in others),
                                                               ", ".join("?" for _ in others)),
                        [base[k] for k in others]), rows(), list(con.execute("SELECT * FROM log"))))
                    reset()
                if relaxed:		# only column i repeats: its own UNIQUE alone decides
                    v = [base[k] if k == i else fresh_value(cols[k], 8) for k in range(len(cols))]
                    sig.append(("repeat", cols[i]["name"], outcome(con, ins, base), outcome(con, ins, v),
                                rows()))
                    reset()
                for variant in ((base[i].swapcase(), base[i] + " ", base[i].upper(), "zz")
                                if isinstance(base[i], str) else (base[i], 3, "Abc")):
                    v = list(base)
                    v[i] = variant
                    sig.append(("variant", relaxed, cols[i]["name"], outcome(con, ins, base),
                                outcome(con, ins, v), rows()))
                    reset()
        con.execute("PRAGMA ignore_check_constraints = 0")
        con.execute("PRAGMA foreign_keys = 1")
        ins2 = ins + ", (%s)" % ", ".join("?" for _ in cols)
        sig.append(("duplicate", outcome(con, ins, base), outcome(con, ins, base), rows(),
                    [r for r in con.execute("SELECT * FROM log")]))
        reset()
        sig.append(("duplicate in a transaction", in_transaction(con, q, ins2, rows, [base, base])))
        reset()
        for i, c in enumerate(cols):
            v = list(base)
            v[i] = None
            sig.append(("null", c["name"], outcome(con, ins, v), rows()))
            reset()
            sig.append(("null in a transaction", c["name"], in_transaction(con, q, ins2, rows, [base, v])))
            reset()
            if c["fk"]:
                # Only this foreign key may be violated: the others get NULL,
                # which satisfies any foreign key (a REAL column referencing
                # an INTEGER PRIMARY KEY matches no parent row at all).
                v = [None if j != i and cj["fk"] and not cj.get("notnull") else base[j]
                     for j, cj in enumerate(cols)]
                v[i] = 99
                con.execute("PRAGMA ignore_check_constraints = 1")
                con.execute("BEGIN")
                first = outcome(con, ins, v)
                second = outcome(con, "COMMIT")
                if con.in_transaction:
                    con.execute("ROLLBACK")
                con.execute("PRAGMA ignore_check_constraints = 0")
                sig.append(("fk", c["name"], first, second))
                reset()
        pk = t["pk"]
        if pk and len(pk["cols"]) == 1:
            i = [c["name"] for c in cols].index(pk["cols"][0])
            got = []
            for k in range(3):
                v = list(base)
                v[i] = None
                for j, c in enumerate(cols):
                    if j != i and c["unique"] and isinstance(v[j], (int, float)):
                        v[j] = k
                got.append(outcome(con, ins, v))
            got.append(outcome(con, "DELETE FROM %s WHERE rowid = (SELECT max(rowid) FROM %s)" % (q, q)))
            v = list(base)
            v[i] = None
            got.append(outcome(con, ins, v))
            sig.append(("rowids", got, rows()))
            reset()
    con.close()
    os.remove(probe)
    return sig


# ---- dbkeeper's fingerprints, many databases per sqlite3 process -------------

def fingerprints(paths):
    script = ""
    for p in paths:
        script += ".open %s\n.load %s\nSELECT '%s', dbkeeper_fingerprint();\n" % (p, EXT, p)
    env = dict(os.environ)
    res = subprocess.run(["sqlite3", "-batch"], input=script, capture_output=True, text=True, env=env)
    out = {}
    for line in res.stdout.splitlines():
        if "|" in line:
            p, fp = line.split("|", 1)
            out[p] = fp
    return out, res.stderr.strip()


def build(path, stmts):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = MEMORY")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("BEGIN")
    for s in stmts:
        con.execute(s)
    con.execute("COMMIT")
    con.close()


# ---- the run -----------------------------------------------------------------

def judge(work, model_a, sp_a, model_b, sp_b):
    """'miss', 'false alarm', 'ok', or 'error ...'; and the two schemas."""
    a, b = os.path.join(work, "a.db"), os.path.join(work, "b.db")
    sa, sb = render(model_a, sp_a), render(model_b, sp_b)
    try:
        build(a, sa)
        build(b, sb)
    except sqlite3.Error as e:
        return "invalid " + str(e), sa, sb
    fps, err = fingerprints([a, b])
    if a not in fps or b not in fps:
        return "error: no fingerprint: " + err, sa, sb
    same_fp = fps[a] == fps[b]
    same_sig = signature(a, model_a) == signature(b, model_a)
    if same_sig and not same_fp:
        return "false alarm", sa, sb
    if not same_sig and same_fp:
        return "miss", sa, sb
    return "ok", sa, sb


def shrink(work, model_a, sp_a, model_b, sp_b, verdict):
    """Removes indexes, triggers and columns while the verdict stays."""
    changed = True
    while changed:
        changed = False
        t_a, t_b = model_a[0], model_b[0]
        candidates = []
        for i in range(len(t_a["indexes"])):
            candidates.append(("index", i))
        if t_a["trigger"] and t_b["trigger"]:
            candidates.append(("trigger", None))
        for c in t_a["cols"]:
            candidates.append(("col", c["name"]))
        for kind, what in candidates:
            na, nb = copy.deepcopy(model_a), copy.deepcopy(model_b)
            ok = True
            for m in (na[0], nb[0]):
                if kind == "index":
                    if what < len(m["indexes"]):
                        del m["indexes"][what]
                    else:
                        ok = False
                elif kind == "trigger":
                    m["trigger"] = None
                else:
                    if len(m["cols"]) == 1 or (m["pk"] and what in m["pk"]["cols"]) or \
                            any(what == k[0] for ix in m["indexes"] for k in ix["keys"]):
                        ok = False
                    else:
                        m["cols"] = [c for c in m["cols"] if c["name"] != what]
            if ok and valid_model(na[0]) and valid_model(nb[0]) and \
                    judge(work, na, sp_a, nb, sp_b)[0] == verdict:
                model_a, model_b, changed = na, nb, True
                break
    return judge(work, model_a, sp_a, model_b, sp_b)


def main():
    r = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="dbk-fp-mutation-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    counts = {"equal": 0, "changed": 0, "skipped": 0}
    failures = {"false alarm": 0, "miss": 0, "error": 0}
    try:
        for case in range(CASES):
            while True:
                t = gen_table(r, "t")
                if valid_model(t):
                    break
            model = [t]
            sp_a, sp_b = Spelling(r), Spelling(r)
            if case % 3 == 0:
                model_b, what = copy.deepcopy(model), "another spelling"
                kind = "equal"
            else:
                # A kind of change first, then one of its places: rare kinds are tried as often.
                kinds = {}
                for m in mutations(t):
                    kinds.setdefault(m[0].split(" of ")[0], []).append(m)
                what, fn = r.choice(kinds[r.choice(sorted(kinds))])
                model_b = copy.deepcopy(model)
                fn(model_b[0])
                kind = "changed"
                if not valid_model(model_b[0]):
                    counts["skipped"] += 1
                    continue
            verdict, sa, sb = judge(work, model, sp_a, model_b, sp_b)
            if os.environ.get("DBK_MUTATION_VERBOSE"):
                print("# case %d: %s: %s" % (case, what, verdict), file=sys.stderr)
            if verdict.startswith("invalid"):
                counts["skipped"] += 1
                continue
            counts[kind] += 1
            if verdict == "ok":
                continue
            if verdict in ("miss", "false alarm"):
                verdict2, sa, sb = shrink(work, model, sp_a, model_b, sp_b, verdict)
                failures[verdict] += 1
            else:
                failures["error"] += 1
            print("FAIL sqlite/mutation/%d %s (%s; seed %d): %s\n    A: %s\n    B: %s" % (
                case, verdict, what, SEED, "same fingerprint, different behaviour" if verdict == "miss"
                else "different fingerprints, same behaviour" if verdict == "false alarm" else verdict,
                "; ".join(sa), "; ".join(sb)))
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = "%d equal spellings, %d single changes (%d invalid combinations skipped), seed %d" % (
        counts["equal"], counts["changed"], counts["skipped"], SEED)
    for kind, label in (("false alarm", "no false alarm"), ("miss", "no miss"), ("error", "every schema described")):
        if failures[kind] == 0:
            print("PASS sqlite/mutation/%s %s" % (kind.replace(" ", "-"), label + " in " + summary))
        else:
            print("FAIL sqlite/mutation/%s %d in %s" % (kind.replace(" ", "-"), failures[kind], summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
