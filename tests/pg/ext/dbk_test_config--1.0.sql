-- dbk_test_config 1.0: the extension ships rows with ids below 1000; a
-- backup holds only the rows users added (ids from 1000 on), as pg_dump does.
CREATE TABLE dbk_test_ref (id integer PRIMARY KEY, name text NOT NULL);
INSERT INTO dbk_test_ref VALUES (1, 'shipped one'), (2, 'shipped two');
SELECT pg_catalog.pg_extension_config_dump('dbk_test_ref', 'WHERE id >= 1000');
