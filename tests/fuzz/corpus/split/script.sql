CREATE TABLE "a;b" (x text DEFAULT E'\';');
-- c;
/* d /* e; */ */
CREATE FUNCTION f() RETURNS int AS $fn$ SELECT $$;$$; $fn$ LANGUAGE sql;
COPY t (x) FROM stdin;
a\tb
\N
\.
SELECT $1, a$b;
