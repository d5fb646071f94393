-- dbk_test_counter 1.0: a sequence of the extension's whose value is the
-- user's (pg_extension_config_dump), so backups hold it as pg_dump does.
CREATE SEQUENCE dbk_test_counter_seq;
SELECT pg_catalog.pg_extension_config_dump('dbk_test_counter_seq', '');
