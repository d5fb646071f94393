SELECT 1,


  2

;
INSERT INTO t

VALUES (1, $q$a

b$q$, E'x'

 'y', 'c

d' /*

*/);
CREATE FUNCTION f() RETURNS int LANGUAGE sql
BEGIN ATOMIC

  SELECT 1;

END;
COPY t

FROM stdin;

1
\.
SELECT 1 -- c

;
