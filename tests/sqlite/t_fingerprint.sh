#!/usr/bin/env bash
# Schema fingerprints on SQLite: the same schema written differently has one
# fingerprint; each single change changes it; dbkeeper's own tables never
# count; the registry, the version lookup, the check and its messages; the
# fingerprint and schema recorded in backups, and the diff against them.
source "$(dirname "$0")/lib.sh"

fp() { sq "$1" "SELECT dbkeeper_fingerprint();"; }

# The reference schema.
BASE="
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, email TEXT UNIQUE,
  status TEXT DEFAULT 'new' CHECK (status IN ('new', 'active')));
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
  amount REAL DEFAULT 0, total REAL GENERATED ALWAYS AS (amount * 1.2) STORED, note TEXT);
CREATE INDEX orders_customer ON orders(customer_id, amount DESC) WHERE amount > 0;
CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'it''s new' WHERE id = new.id; END;
"
sqlite3 base.db "$BASE"
base=$(fp base.db)
check 1_01 "fingerprint is 64 lowercase hex digits" "$(printf '%s' "$base" | grep -Ec '^[0-9a-f]{64}$')" 1

# 1. The same schema written another way: whitespace, keyword case, quoting,
# comments, order of creation, a column added by ALTER TABLE.
# SQLite cannot ADD a STORED generated column, so NOTE is the column added later.
sqlite3 other.db '
create   table "ORDERS" ( [ID] integer primary key, `Customer_Id` INTEGER not null
     references "Customer"("Id") on delete cascade, -- the owner
  AMOUNT real default 0, TOTAL real generated always as (amount*1.2) stored );
alter table orders add column NOTE text;
CREATE TABLE Customer ( "id" INTEGER PRIMARY KEY, Name TEXT NOT NULL COLLATE nocase,
  Email TEXT UNIQUE, Status TEXT DEFAULT '"'new'"' CHECK(status in ('"'new'"','"'active'"')) );
create trigger "Orders_Note" after insert on Orders begin
   update ORDERS set NOTE = '"'it''s new'"' where id = NEW.id ; end;
create view [Big_Orders] as   select ID, Amount from orders /* large */ where amount>100;
create index ORDERS_CUSTOMER on "orders" ( customer_id , amount desc ) where amount >0;'
check 1_02 "same schema written differently and in another order has the same fingerprint" "$(fp other.db)" "$base"
check 1_03 "the two descriptions are identical" "$(sq other.db 'SELECT * FROM dbkeeper_schema;')" "$(sq base.db 'SELECT * FROM dbkeeper_schema;')"
sqlite3 other.db "CREATE TABLE dbkeeper_private(x); CREATE INDEX dbkeeper_private_x ON dbkeeper_private(x);"
check 1_04 "dbkeeper_* tables are not part of the fingerprint" "$(fp other.db)" "$base"
sq other.db "SELECT dbkeeper_schema_register('1.0');" > /dev/null
check 1_05 "the registry table is not part of the fingerprint" "$(fp other.db)" "$base"
sqlite3 asc1.db "CREATE TABLE t(a, b); CREATE INDEX t_ab ON t(a ASC, b DESC);"
sqlite3 asc2.db "CREATE TABLE t(a, b); CREATE INDEX t_ab ON t(a, b DESC);"
check 1_07 "an index key's explicit ASC is the default order" "$(fp asc1.db)" "$(fp asc2.db)"
check 1_06 "dbkeeper_schema has one row per object, sorted" \
  "$(sq base.db "SELECT group_concat(kind || ' ' || name, ',') FROM dbkeeper_schema;")" \
  "index orders_customer,table customer,table orders,trigger orders_note,view big_orders"

# 2. Each single change changes the fingerprint.
n=0
changed() {  # ID DESC SQL-applied-to-a-copy-of-base
  local id=$1 desc=$2 sql=$3 got
  n=$((n + 1))
  rm -f "c$n.db"
  sqlite3 "c$n.db" "$BASE" || { echo "FAIL sqlite/$id could not build"; return; }
  sqlite3 "c$n.db" "$sql" || { echo "FAIL sqlite/$id could not apply: $sql"; return; }
  got=$(fp "c$n.db")
  if [ -n "$got" ] && [ "$got" != "$base" ]; then echo "PASS sqlite/$id $desc"; else echo "FAIL sqlite/$id $desc: fingerprint unchanged"; fi
}
# Rebuilds table orders with the given body (SQLite cannot ALTER most things).
rebuild_orders() {
  echo "PRAGMA foreign_keys=OFF; DROP VIEW big_orders; DROP TABLE orders; CREATE TABLE orders($1);
        CREATE INDEX orders_customer ON orders(customer_id, amount DESC) WHERE amount > 0;
        CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100;
        CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'it''s new' WHERE id = new.id; END;"
}
COLS_FK="customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE CASCADE"
GEN="total REAL GENERATED ALWAYS AS (amount * 1.2) STORED"
changed 2_01 "a column type" "$(rebuild_orders "id INTEGER PRIMARY KEY, $COLS_FK, amount NUMERIC DEFAULT 0, $GEN, note TEXT")"
changed 2_02 "nullability" "$(rebuild_orders "id INTEGER PRIMARY KEY, $COLS_FK, amount REAL NOT NULL DEFAULT 0, $GEN, note TEXT")"
changed 2_03 "a default" "$(rebuild_orders "id INTEGER PRIMARY KEY, $COLS_FK, amount REAL DEFAULT 1, $GEN, note TEXT")"
changed 2_04 "a column's position" "$(rebuild_orders "id INTEGER PRIMARY KEY, amount REAL DEFAULT 0, $COLS_FK, $GEN, note TEXT")"
changed 2_05 "a generated column's expression" "$(rebuild_orders "id INTEGER PRIMARY KEY, $COLS_FK, amount REAL DEFAULT 0, total REAL GENERATED ALWAYS AS (amount * 1.3) STORED, note TEXT")"
changed 2_06 "a foreign key's ON DELETE action" "$(rebuild_orders "id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer(id) ON DELETE RESTRICT, amount REAL DEFAULT 0, $GEN, note TEXT")"
changed 2_07 "a column's collation" "$(rebuild_orders "id INTEGER PRIMARY KEY, $COLS_FK, amount REAL DEFAULT 0, $GEN, note TEXT COLLATE NOCASE")"
changed 2_08 "an index column" "DROP INDEX orders_customer; CREATE INDEX orders_customer ON orders(customer_id, note DESC) WHERE amount > 0;"
changed 2_09 "an index column's order" "DROP INDEX orders_customer; CREATE INDEX orders_customer ON orders(customer_id, amount) WHERE amount > 0;"
changed 2_10 "an index's uniqueness" "DROP INDEX orders_customer; CREATE UNIQUE INDEX orders_customer ON orders(customer_id, amount DESC) WHERE amount > 0;"
changed 2_11 "an index's predicate" "DROP INDEX orders_customer; CREATE INDEX orders_customer ON orders(customer_id, amount DESC) WHERE amount >= 0;"
changed 2_12 "an index expression" "CREATE INDEX orders_lower ON orders(lower(note)); DROP INDEX orders_lower; CREATE INDEX orders_lower ON orders(upper(note));"
changed 2_13 "a CHECK expression" "PRAGMA foreign_keys=OFF; CREATE TABLE c2(id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, email TEXT UNIQUE, status TEXT DEFAULT 'new' CHECK (status IN ('new', 'active', 'gone'))); INSERT INTO c2 SELECT * FROM customer; DROP TABLE customer; ALTER TABLE c2 RENAME TO customer;"
changed 2_14 "a UNIQUE constraint" "PRAGMA foreign_keys=OFF; CREATE TABLE c2(id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE, email TEXT, status TEXT DEFAULT 'new' CHECK (status IN ('new', 'active'))); DROP TABLE customer; ALTER TABLE c2 RENAME TO customer;"
changed 2_15 "a view body" "DROP VIEW big_orders; CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 1000;"
changed 2_16 "a trigger's timing" "DROP TRIGGER orders_note; CREATE TRIGGER orders_note BEFORE INSERT ON orders BEGIN UPDATE orders SET note = 'it''s new' WHERE id = new.id; END;"
changed 2_17 "a trigger's body" "DROP TRIGGER orders_note; CREATE TRIGGER orders_note AFTER INSERT ON orders BEGIN UPDATE orders SET note = 'It''s new' WHERE id = new.id; END;"
changed 2_18 "a new table" "CREATE TABLE extra(x);"
changed 2_19 "WITHOUT ROWID" "CREATE TABLE k(a TEXT PRIMARY KEY); DROP TABLE k; CREATE TABLE k(a TEXT PRIMARY KEY) WITHOUT ROWID;" 
changed 2_20 "a renamed column" "ALTER TABLE orders RENAME COLUMN note TO remark;"
check 2_21 "a string literal's case is a change (literals untouched)" \
  "$(sqlite3 s1.db "CREATE VIEW v AS SELECT 'A' AS x;"; sqlite3 s2.db "CREATE VIEW v AS SELECT 'a' AS x;"; [ "$(fp s1.db)" != "$(fp s2.db)" ] && echo differ)" differ

# 4. What the CREATE text alone says: each difference SQLite acts on is seen,
# each spelling it treats alike is not (canonical form 2).
pair() {  # ID DESC same|differ SQL-A SQL-B
  local id=$1 desc=$2 want=$3 a b
  rm -f pa.db pb.db
  sqlite3 pa.db "$4" && sqlite3 pb.db "$5" || { echo "FAIL sqlite/$id $desc: could not build"; return; }
  a=$(fp pa.db); b=$(fp pb.db)
  if [ -z "$a" ] || [ -z "$b" ]; then echo "FAIL sqlite/$id $desc: no fingerprint"
  elif { [ "$want" = same ] && [ "$a" = "$b" ]; } || { [ "$want" = differ ] && [ "$a" != "$b" ]; }; then
    echo "PASS sqlite/$id $desc"
  else
    echo "FAIL sqlite/$id $desc: fingerprints should $want"
  fi
}
pair 4_01 "UNIQUE ON CONFLICT IGNORE" differ "CREATE TABLE t(x UNIQUE);" "CREATE TABLE t(x UNIQUE ON CONFLICT IGNORE);"
pair 4_02 "NOT NULL ON CONFLICT REPLACE" differ "CREATE TABLE t(x NOT NULL DEFAULT 1);" "CREATE TABLE t(x NOT NULL ON CONFLICT REPLACE DEFAULT 1);"
pair 4_03 "PRIMARY KEY ON CONFLICT" differ "CREATE TABLE t(id INTEGER PRIMARY KEY);" "CREATE TABLE t(id INTEGER PRIMARY KEY ON CONFLICT REPLACE);"
pair 4_04 "ON CONFLICT ABORT is the default" same "CREATE TABLE t(x UNIQUE ON CONFLICT ABORT);" "CREATE TABLE t(x UNIQUE);"
pair 4_05 "DEFERRABLE INITIALLY DEFERRED" differ "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE t(a REFERENCES p(id));" \
  "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE t(a REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);"
pair 4_06 "PRIMARY KEY DESC on the column is no rowid alias" differ "CREATE TABLE t(id INTEGER PRIMARY KEY);" "CREATE TABLE t(id INTEGER PRIMARY KEY DESC);"
pair 4_07 "DESC inside a table-level PRIMARY KEY of a rowid alias changes nothing" same "CREATE TABLE t(id INTEGER, PRIMARY KEY(id DESC));" "CREATE TABLE t(id INTEGER PRIMARY KEY);"
pair 4_08 "COLLATE on a table-level PRIMARY KEY key" differ "CREATE TABLE t(a, b, PRIMARY KEY(a, b));" "CREATE TABLE t(a, b, PRIMARY KEY(a, b COLLATE NOCASE));"
pair 4_09 "DESC on a table-level PRIMARY KEY key" differ "CREATE TABLE t(a, b, PRIMARY KEY(a, b)) WITHOUT ROWID;" "CREATE TABLE t(a, b, PRIMARY KEY(a, b DESC)) WITHOUT ROWID;"
pair 4_10 "the case of a bare-word DEFAULT" differ "CREATE TABLE t(x DEFAULT Abc);" "CREATE TABLE t(x DEFAULT abc);"
pair 4_11 "the case of a double-quoted DEFAULT" differ 'CREATE TABLE t(x DEFAULT "Abc");' 'CREATE TABLE t(x DEFAULT "abc");'
pair 4_12 "DEFAULT 'Abc', DEFAULT Abc and DEFAULT \"Abc\" store the same" same "CREATE TABLE t(x DEFAULT 'Abc', y DEFAULT Abc);" 'CREATE TABLE t(x DEFAULT Abc, y DEFAULT "Abc");'
pair 4_13 "the case of a double-quoted string in a CHECK" differ 'CREATE TABLE t(s CHECK (s IN ("Active")));' 'CREATE TABLE t(s CHECK (s IN ("ACTIVE")));'
pair 4_14 "a double-quoted CHECK string after SQLite rewrote it on a rename" same \
  'CREATE TABLE t(s CHECK (s IN ("Active")), u); ALTER TABLE t RENAME COLUMN u TO v;' "CREATE TABLE t(s CHECK (s IN ('Active')), v);"
pair 4_15 "AUTOINCREMENT inside a table-level PRIMARY KEY" differ "CREATE TABLE t(id INTEGER, PRIMARY KEY(id));" "CREATE TABLE t(id INTEGER, PRIMARY KEY(id AUTOINCREMENT));"
pair 4_16 "AUTOINCREMENT on the column or in PRIMARY KEY(...)" same "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT);" "CREATE TABLE t(id INTEGER, PRIMARY KEY(id AUTOINCREMENT));"
pair 4_17 "FOR EACH ROW written or not" same "CREATE TABLE t(a); CREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW BEGIN SELECT 1; END;" \
  "CREATE TABLE t(a); CREATE TRIGGER g AFTER INSERT ON t BEGIN SELECT 1; END;"
pair 4_18 "an index key's COLLATE equal to its column's" same "CREATE TABLE t(a COLLATE NOCASE, b); CREATE INDEX i ON t(a COLLATE NOCASE, b COLLATE BINARY);" \
  "CREATE TABLE t(a COLLATE NOCASE, b); CREATE INDEX i ON t(a, b);"
pair 4_19 "an index key's COLLATE other than its column's" differ "CREATE TABLE t(a COLLATE NOCASE); CREATE INDEX i ON t(a COLLATE BINARY);" \
  "CREATE TABLE t(a COLLATE NOCASE); CREATE INDEX i ON t(a);"
pair 4_20 "hex case in a blob literal" same "CREATE TABLE t(x DEFAULT X'aB');" "CREATE TABLE t(x DEFAULT x'Ab');"
big_in() { local n=$1 last=$2; printf 'CREATE TABLE t(x INTEGER CHECK (x IN ('; seq -s, 1 "$n" | tr -d '\n'; printf ',%s)));' "$last"; }
pair 4_21 "the last value of a CHECK's IN list of 2,100 values" differ "$(big_in 2100 999999)" "$(big_in 2100 999998)"
checks() { local n=$1 last=$2; printf 'CREATE TABLE t(x'; for i in $(seq 1 "$n"); do printf ', CHECK (x <> %s)' "$i"; done; printf ', CHECK (x <> %s));' "$last"; }
pair 4_22 "the 4,200th CHECK" differ "$(checks 4200 -1)" "$(checks 4200 -2)"
pair 4_23 "a generated column after a long DEFAULT" differ \
  "CREATE TABLE t(a DEFAULT (length('$(printf 'x%.0s' $(seq 1 20000))')), b AS (a + 1));" "CREATE TABLE t(a DEFAULT (length('$(printf 'x%.0s' $(seq 1 20000))')), b AS (a + 2));"
pair 4_24 "MATCH on a foreign key, which SQLite ignores" same "CREATE TABLE t(a REFERENCES p(id) MATCH FULL);" "CREATE TABLE t(a REFERENCES p(id));"

# 3. A database restored by dbkeeper has the original fingerprint, and its
# backup records it.
cp base.db live.db
sqlite3 live.db "INSERT INTO customer VALUES (1, 'a', 'a@x', 'new');"
name=$(sq live.db "SELECT dbkeeper_backup();")
check 3_01 "the backup's fingerprint column is the schema's fingerprint" \
  "$(sq live.db "SELECT fingerprint FROM dbkeeper_backups WHERE name = '$name';")" "$base"
check 3_02 "the backup's header records the canonical schema" \
  "$(sq live.db "SELECT count(*) FROM dbkeeper_schema_diff('$name');")" 0
sqlite3 live.db "DROP VIEW big_orders; CREATE TABLE junk(x);"
sq live.db "SELECT dbkeeper_restore('$name');" > /dev/null
check 3_03 "a database restored by dbkeeper has the original fingerprint" "$(fp live.db)" "$base"

# 5. The registry and the version lookup.
sqlite3 reg.db "$BASE"
check 5_01 "no version before registration" "$(sq reg.db "SELECT quote(dbkeeper_schema_version());")" NULL
check 5_02 "register returns the fingerprint" "$(sq reg.db "SELECT dbkeeper_schema_register('1.0');")" "$base"
check 5_03 "registering the same version again is harmless" "$(sq reg.db "SELECT dbkeeper_schema_register('1.0');")" "$base"
check 5_04 "the version lookup finds it" "$(sq reg.db "SELECT dbkeeper_schema_version();")" 1.0
check 5_05 "check by version returns the fingerprint" "$(sq reg.db "SELECT dbkeeper_schema_check('1.0');")" "$base"
check 5_06 "check by fingerprint returns it" "$(sq reg.db "SELECT dbkeeper_schema_check('$base');")" "$base"
check 5_07 "check by fingerprint in upper case" "$(sq reg.db "SELECT dbkeeper_schema_check(upper('$base'));")" "$base"
check_error 5_08 "an unknown version is an error" 'schema version "2\.0" is not registered' reg.db "SELECT dbkeeper_schema_check('2.0');"
check_error 5_09 "NULL is an error" 'expected schema cannot be NULL' reg.db "SELECT dbkeeper_schema_check(NULL);"
check_error 5_10 "a bad version name is refused" 'schema version "a b" contains a space' reg.db "SELECT dbkeeper_schema_register('a b');"
check_error 5_11 "an empty version name is refused" 'schema version must be 1 to 64 characters long' reg.db "SELECT dbkeeper_schema_register('');"
sqlite3 reg.db "ALTER TABLE customer ADD COLUMN phone TEXT;"
v11=$(fp reg.db)
check_error 5_12 "re-registering a version with another schema is refused" \
  'schema version "1\.0" is already registered with another fingerprint' reg.db "SELECT dbkeeper_schema_register('1.0');"
check_error 5_13a "check fails with its message" 'database schema is not version "1\.0"' reg.db "SELECT dbkeeper_schema_check('1.0');"
check_error 5_13 "check fails naming expected and found fingerprints, no known version" \
  "DETAIL: Expected fingerprint $base, found $v11, which matches no registered version\." \
  reg.db "SELECT dbkeeper_schema_check('1.0');"
sq reg.db "SELECT dbkeeper_schema_register('1.1');" > /dev/null
check 5_14 "the version lookup follows the schema" "$(sq reg.db "SELECT dbkeeper_schema_version();")" 1.1
check_error 5_15 "check fails naming the registered version of the found schema" \
  "DETAIL: Expected fingerprint $base, found $v11, which is registered as version \"1\.1\"\." \
  reg.db "SELECT dbkeeper_schema_check('1.0');"
check_error 5_16 "check by a wrong fingerprint" \
  "database schema does not have fingerprint $base" reg.db "SELECT dbkeeper_schema_check('$base');"
check 5_17 "a failed check changes nothing" "$(sq reg.db "SELECT count(*) FROM dbkeeper_schema_version;")" 2

# 5. The diff against a backup after a change of each kind.
sqlite3 d.db "$BASE"
first=$(sq d.db "SELECT dbkeeper_backup('first');")
check 5_20 "no change since the latest backup" "$(sq d.db "SELECT count(*) FROM dbkeeper_schema_diff;")" 0
sqlite3 d.db "
  CREATE TABLE product(id INTEGER PRIMARY KEY, name TEXT);
  DROP INDEX orders_customer;
  ALTER TABLE customer ADD COLUMN phone TEXT;
  DROP VIEW big_orders; CREATE VIEW big_orders AS SELECT id FROM orders;
  DROP TRIGGER orders_note; CREATE TRIGGER orders_note BEFORE INSERT ON orders BEGIN SELECT 1; END;
  CREATE INDEX product_name ON product(name);"
check 5_21 "the diff lists added, removed and changed objects of each kind" \
  "$(sq d.db "SELECT group_concat(change || ' ' || kind || ' ' || name, ', ') FROM dbkeeper_schema_diff('$first');")" \
  "removed index orders_customer, added index product_name, changed table customer, added table product, changed trigger orders_note, changed view big_orders"
check 5_22 "the latest backup is the default" \
  "$(sq d.db "SELECT count(*) FROM dbkeeper_schema_diff();") $(sq d.db "SELECT count(*) FROM dbkeeper_schema_diff(NULL);")" "6 6"
second=$(sq d.db "SELECT dbkeeper_backup('second');")
check 5_23 "after a new backup the latest diff is empty, the first still differs" \
  "$(sq d.db "SELECT count(*) FROM dbkeeper_schema_diff;") $(sq d.db "SELECT count(*) FROM dbkeeper_schema_diff('$first');")" "0 6"
sqlite3 d.db "DROP TABLE product;"
check 5_24 "a dropped table and its index are removed" \
  "$(sq d.db "SELECT group_concat(change || ' ' || kind || ' ' || name, ', ') FROM dbkeeper_schema_diff('$second');")" \
  "removed index product_name, removed table product"
check_error 5_25 "a backup that does not exist" 'could not open|does not exist|No such file' d.db "SELECT * FROM dbkeeper_schema_diff('d-2000-01-01T00-00-00Z.sqlite3.zst');"
check_error 5_26 "a bad backup name" 'backup name' d.db "SELECT * FROM dbkeeper_schema_diff('../x');"
sqlite3 none.db "CREATE TABLE t(x);"
check_error 5_27 "no backup yet" 'latest|no backup' none.db "SELECT * FROM dbkeeper_schema_diff();"
check_error 5_28 "a function that reads the schema cannot run from a view" 'unsafe use|prohibited' d.db \
  "CREATE VIEW fpv AS SELECT dbkeeper_fingerprint(); SELECT * FROM fpv;"
