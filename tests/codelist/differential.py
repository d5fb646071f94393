#!/usr/bin/env python3
"""Randomized differential test of dbkeeper's codelist functions.

A reference implementation of the status rule and of the five regeneration
steps, written from README's "Codelists" section (the OpenCodelists model)
and independent of dbkeeper's C code, is compared with what
dbkeeper_codelist_status and dbkeeper_codelist_new_draft return on an engine,
over random cases: releases that are DAGs with several parents per code,
codes with terms but no edges, terms with non-ASCII letters, overlapping
include/exclude rules, a second release that adds, removes and moves codes,
term and code searches, integer-coded releases and codes that are not in the
release (absent ones and non-canonical numeric strings such as 0123 or +5).

    differential.py sqlite EXT DB        run against `sqlite3` with EXT loaded
    differential.py postgresql DB        run against `psql -d DB` (PG* env)

Options: --cases N (default 200), --seed S, --index (an index on parent, so
that the engine walks down from the ruled codes instead of reading whole),
--label L (the id the PASS/FAIL line starts with), --preload LIB (LD_PRELOAD
for the sqlite3 shell only: the sanitizer runtime).
Each case's statuses are asked twice on one connection (the second answer
may come from the engine's cache of compiled releases) and both are checked.

Prints one line, `PASS <label> N random cases ...`,
or `FAIL ...` with the first disagreement, shrunk: edges, rules, searches and
terms are taken away one at a time while the engine still disagrees.
"""
import argparse
import os
import random
import subprocess
import sys

# ---------------------------------------------------------------- the model


def fold(s):
    """OpenCodelists' term search is SQLite's LIKE: ASCII letters fold only."""
    return ''.join(chr(ord(c) + 32) if 'A' <= c <= 'Z' else c for c in s)


class Release:
    def __init__(self, edges, terms):
        self.edges = edges            # list of (code, parent or None)
        self.terms = terms            # list of (code, term)
        self.codes = set(c for c, _ in edges) | set(p for _, p in edges if p is not None) \
            | set(c for c, _ in terms)
        self.children = {}
        for c, p in edges:
            if p is not None:
                self.children.setdefault(p, set()).add(c)

    def descendants(self, code):
        out, todo = set(), [code]
        while todo:
            for k in self.children.get(todo.pop(), ()):
                if k not in out:
                    out.add(k)
                    todo.append(k)
        return out

    def ancestors(self, code):
        parents = {}
        for c, p in self.edges:
            if p is not None:
                parents.setdefault(c, set()).add(p)
        out, todo = set(), [code]
        while todo:
            for k in parents.get(todo.pop(), ()):
                if k not in out:
                    out.add(k)
                    todo.append(k)
        return out


def statuses(release, codes, explicit):
    """The status of each of codes, from explicit {code: '+'|'-'}, over release."""
    out = {}
    for code in codes:
        if code in explicit:
            out[code] = explicit[code]
            continue
        ruled = [a for a in release.ancestors(code) if a in explicit]
        # significant: no other ruled ancestor of code lies below it
        significant = [a for a in ruled
                       if not any(b != a and b in release.descendants(a) for b in ruled)]
        kinds = set(explicit[a] for a in significant)
        out[code] = {frozenset(): '?', frozenset('+'): '(+)', frozenset('-'): '(-)'}.get(
            frozenset(kinds), '!')
    return out


def new_draft(version_codes, searches, release):
    """version_codes {code: status}; searches [('term'|'code', text)]."""
    draft = dict(version_codes)                                   # 1. copy
    for kind, text in searches:                                   # 2. searches
        if kind == 'term':
            needle = fold(text)
            matches = set(c for c, t in release.terms if needle in fold(t))
        else:
            matches = {text} if text in release.codes else set()
        for m in matches:
            for c in {m} | release.descendants(m):
                draft.setdefault(c, '?')
    draft = {c: s for c, s in draft.items() if c in release.codes}  # 3. drop
    for c in list(draft):                                         # 4. descendants
        for d in release.descendants(c):
            draft.setdefault(d, '?')
    explicit = {c: s for c, s in draft.items() if s in '+-'}      # 5. recompute
    return statuses(release, draft, explicit)


# ---------------------------------------------------------------- random cases

WORDS = ['asthma', 'Asthma', 'ASTHMA', 'wheeze', 'Wheezing', 'lung', 'échec', 'ÉCHEC', 'Échec',
         'þorn', 'ÞORN', 'straße', 'STRASSE', 'fever', 'chronic', 'acute']


def random_case(rnd, n):
    integer = rnd.random() < 0.4
    pool = [str(rnd.randint(1, 400)) for _ in range(n * 2)] if integer else \
        ['c%d' % i for i in range(n * 2)]
    pool = list(dict.fromkeys(pool))

    def release(codes):
        edges = []
        for i, c in enumerate(codes):
            earlier = codes[:i]
            if not earlier or rnd.random() < 0.1:
                edges.append((c, None))
            else:
                for p in rnd.sample(earlier, min(len(earlier), rnd.choice([1, 1, 2, 3]))):
                    edges.append((c, p))
        loose = rnd.sample(pool, 2)                                  # terms without edges
        terms = [(c, ' '.join(rnd.sample(WORDS, 2))) for c in codes + loose if rnd.random() < 0.6]
        return edges, terms

    first = pool[:n]
    second = [c for c in first if rnd.random() < 0.85] + pool[n:n + n // 3]   # removes, adds
    rnd.shuffle(second)                                                       # moves
    r1, r2 = release(first), release(second)
    rules = {c: rnd.choice('+-') for c in rnd.sample(first, min(len(first), rnd.randint(1, 5)))}
    others = rnd.sample(first, min(len(first), 4))
    absent = ['nosuch', '0' + first[0], '+' + first[0], first[0] + '.0', '99999999999999999999'] \
        if integer else ['nosuch', first[0].upper()]
    version = dict(rules)
    for c in others + rnd.sample(absent, 2):
        version.setdefault(c, '?')
    if rnd.random() < 0.3:
        version[rnd.choice(absent)] = rnd.choice('+-')
    searches = []
    for _ in range(rnd.randint(0, 3)):
        if rnd.random() < 0.5:
            w = rnd.choice(WORDS)
            searches.append(('term', w[:rnd.randint(2, len(w))]))
        else:
            searches.append(('code', rnd.choice(second + absent)))
    searches = list(dict.fromkeys(searches))
    return {'integer': integer, 'r1': r1, 'r2': r2, 'version': version, 'searches': searches}


def expected(case):
    r1, r2 = Release(*case['r1']), Release(*case['r2'])
    explicit = {c: s for c, s in case['version'].items() if s in '+-'}
    vstat = statuses(r1, case['version'], explicit)
    return {'status': vstat, 'draft': new_draft(vstat, case['searches'], r2)}


# ---------------------------------------------------------------- engines


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def case_sql(i, case, engine, indexed):
    """(setup statements, query statements) of case i."""
    t = ('bigint' if engine == 'postgresql' else 'INTEGER') if case['integer'] else 'text'
    out = []
    for r in ('r1', 'r2'):
        e, tm = 'k%d_%s_edges' % (i, r), 'k%d_%s_terms' % (i, r)
        out.append('CREATE TABLE %s (code %s, parent %s);' % (e, t, t))
        out.append('CREATE TABLE %s (code %s, term text);' % (tm, t))
        if indexed:
            out.append('CREATE INDEX %s_parent ON %s (parent);' % (e, e))
        edges, terms = case[r]
        if edges:
            out.append('INSERT INTO %s VALUES %s;' % (e, ', '.join(
                '(%s, %s)' % (lit(c), 'NULL' if p is None else lit(p)) for c, p in edges)))
        if terms:
            out.append('INSERT INTO %s VALUES %s;' % (tm, ', '.join(
                '(%s, %s)' % (lit(c), lit(w)) for c, w in terms)))
        out.append("INSERT INTO dbkeeper_codelist_release VALUES (%s, %s, %s, %s, %s);" % (
            lit('k%d_%s' % (i, r)), lit('sys%d' % i), lit('2024-01-01' if r == 'r1' else '2024-07-01'),
            lit(e), lit(tm)))
    v = 'k%d_v' % i
    out.append("INSERT INTO dbkeeper_codelist_version (id, codelist, release, status) "
               "VALUES (%s, %s, %s, 'published');" % (lit(v), lit('list%d' % i), lit('k%d_r1' % i)))
    out.append('INSERT INTO dbkeeper_codelist_code (version, code, status) VALUES %s;' % ', '.join(
        '(%s, %s, %s)' % (lit(v), lit(c), lit(s)) for c, s in case['version'].items()))
    for kind, text in case['searches']:
        out.append('INSERT INTO dbkeeper_codelist_search (version, %s) VALUES (%s, %s);' % (
            kind, lit(v), lit(text)))
    setup, out = out, []
    if engine == 'postgresql':   # all-visible: the cache of compiled releases may serve
        out += ['VACUUM k%d_%s_edges;' % (i, r) for r in ('r1', 'r2')]
    agg = ("string_agg(code || ' ' || status, ' ' ORDER BY code COLLATE \"C\")"
           if engine == 'postgresql' else "group_concat(code || ' ' || status, ' ')")
    order = '' if engine == 'postgresql' else ' ORDER BY code'
    for n in (1, 2):   # cold, then perhaps from the cache
        out.append("SELECT 'k%d|status%d|' || coalesce((SELECT %s FROM (SELECT * FROM "
                   "dbkeeper_codelist_status(%s)%s) s), '');" % (i, n, agg, lit(v), order))
    out.append("SELECT 'k%d|draft|' || dbkeeper_codelist_new_draft(%s, 'diff', %s);" % (
        i, lit(v), lit('k%d_r2' % i)))
    out.append("SELECT 'k%d|codes|' || coalesce((SELECT %s FROM (SELECT code, status FROM "
               "dbkeeper_codelist_code WHERE version = %s%s) s), '');" % (
                   i, agg, lit('list%d@k%d_r2' % (i, i)), order))
    return setup, out


def run_engine(args, cases, indexed):
    """{(i, what): text} for cases {i: case}."""
    if args.engine == 'sqlite':
        sql = ['.bail on', 'PRAGMA journal_mode = WAL;', 'PRAGMA synchronous = OFF;',
               "SELECT dbkeeper_codelist_init();"]
    else:
        sql = ['\\set ON_ERROR_STOP 1', 'SET client_min_messages = warning;',
               'DELETE FROM dbkeeper_codelist_search; DELETE FROM dbkeeper_codelist_code;',
               'DELETE FROM dbkeeper_codelist_version; DELETE FROM dbkeeper_codelist_release;',
               'DROP SCHEMA IF EXISTS diff CASCADE; CREATE SCHEMA diff; SET search_path = diff, public;']
    parts = [case_sql(i, case, args.engine, indexed) for i, case in cases.items()]
    # every table in one transaction; the functions run after it, in autocommit
    sql += ['BEGIN;'] + [q for setup, _ in parts for q in setup] + ['COMMIT;']
    sql += [q for _, queries in parts for q in queries]
    text = '\n'.join(sql) + '\n'
    if args.engine == 'sqlite':
        subprocess.run(['rm', '-f', args.db], check=True)
        cmd = ['sqlite3', '-batch', '-noheader', '-list', '-cmd', '.load ' + args.ext, args.db]
    else:
        cmd = ['psql', '-X', '-q', '-At', '-d', args.db]
    env = dict(os.environ, LD_PRELOAD=args.preload) if args.preload else None
    p = subprocess.run(cmd, input=text.encode(), capture_output=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode(errors='replace').strip()[-600:])
    got = {}
    for line in p.stdout.decode().splitlines():
        parts = line.split('|', 2)
        if len(parts) == 3 and parts[0].startswith('k'):
            got[(int(parts[0][1:]), parts[1])] = parts[2]
    return got


def render(stat):
    return ' '.join('%s %s' % (c, stat[c]) for c in sorted(stat, key=lambda c: c.encode()))


def disagreements(case, i, got):
    want = expected(case)
    out = []
    for what, w in (('status1', want['status']), ('status2', want['status']), ('codes', want['draft'])):
        g = got.get((i, what))
        if g != render(w):
            out.append('%s: engine [%s], reference [%s]' % (what, g, render(w)))
    return out


def shrink(args, case, indexed):
    """Takes parts away while the engine still disagrees with the reference."""
    def fails(c):
        try:
            return bool(disagreements(c, 0, run_engine(args, {0: c}, indexed)))
        except RuntimeError:
            return True
    changed = True
    while changed:
        changed = False
        for key in ('searches', 'version', 'r1e', 'r1t', 'r2e', 'r2t'):
            items = case['searches'] if key == 'searches' else list(case['version'].items()) \
                if key == 'version' else case[key[:2]][0 if key[2] == 'e' else 1]
            for j in range(len(items) - 1, -1, -1):
                trial = {k: v for k, v in case.items()}
                smaller = items[:j] + items[j + 1:]
                if key == 'searches':
                    trial['searches'] = smaller
                elif key == 'version':
                    if not smaller:
                        continue
                    trial['version'] = dict(smaller)
                else:
                    pair = list(case[key[:2]])
                    pair[0 if key[2] == 'e' else 1] = smaller
                    trial[key[:2]] = tuple(pair)
                if fails(trial):
                    case, changed = trial, True
                    break
    return case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('engine', choices=['sqlite', 'postgresql'])
    ap.add_argument('rest', nargs='+')
    ap.add_argument('--cases', type=int, default=200)
    ap.add_argument('--seed', type=int, default=20261206)
    ap.add_argument('--index', action='store_true')
    ap.add_argument('--label', default='codelist-diff')
    ap.add_argument('--preload', default='')
    args = ap.parse_args()
    if args.engine == 'sqlite':
        args.ext, args.db = args.rest
    else:
        args.db, = args.rest
    rnd = random.Random(args.seed)
    cases = {i: random_case(rnd, rnd.randint(4, 24)) for i in range(args.cases)}
    label = args.label
    try:
        got = run_engine(args, cases, args.index)
    except RuntimeError as e:
        print('FAIL %s the engine failed: %s' % (label, e))
        return 1
    for i, case in cases.items():
        if disagreements(case, i, got):
            small = shrink(args, case, args.index)
            what = disagreements(small, 0, run_engine(args, {0: small}, args.index))
            print('FAIL %s case %d (seed %d) disagrees; shrunk: %s' % (label, i, args.seed, '; '.join(what)))
            print('    case: %r' % small)
            return 1
    print('PASS %s %d random cases agree with the reference (seed %d)' % (label, len(cases), args.seed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
