\restrict k3y
CREATE RULE r AS
    ON DELETE TO public.t DO ( DELETE FROM public.a
  WHERE (a.x = old.x);
 DELETE FROM public.b
  WHERE (b.y = old.y);
);
CREATE OR REPLACE FUNCTION public.f(a integer) RETURNS integer
    LANGUAGE sql
    BEGIN ATOMIC
 SELECT CASE WHEN (f.a > 0) THEN 1 ELSE 0 END AS "case";
 SELECT a[1:end]::int, 1end, $end, 1$q$;$q$;
END;
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;
SELECT E'a'
  -- continued
'\'; b', B'01', X'ff', U&'\0061''', U&"x;""", N'n';
SET standard_conforming_strings = off;
SELECT 'a\';b';
RESET standard_conforming_strings;
COPY t FROM stdin; -- rows
1	x
\.
\unrestrict k3y
