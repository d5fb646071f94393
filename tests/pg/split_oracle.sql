-- tests/pg/split_oracle.sql — statements that end at something other than
-- the first ';', for tests/pg/t_split_oracle.sh: psql replays this file and
-- the statements it sends are compared with the ones core/restore/sql_split.c cuts.
-- The objects it leaves (rules with several actions, SQL-standard function
-- bodies) are backed up and restored in place by the same test.
-- A statement that fails is still sent: failures are part of the test.
-- psql drops -- comments from the statements it sends, so none stands
-- inside a statement here: the texts are compared byte for byte.

CREATE TABLE public.t (x integer PRIMARY KEY, note text);
CREATE TABLE public.a (x integer);
CREATE TABLE public.b (y integer);

-- rules with several actions, in parentheses
CREATE RULE t_del AS ON DELETE TO public.t DO ALSO (DELETE FROM public.a WHERE a.x = old.x; DELETE FROM public.b WHERE b.y = old.x);
CREATE RULE t_ins AS ON INSERT TO public.t DO ALSO (
    INSERT INTO public.a VALUES (new.x);
    INSERT INTO public.b VALUES (new.x * 2)
);

-- SQL-standard bodies, with CASE ... END inside
CREATE FUNCTION public.sign_word(i integer) RETURNS text LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN i > 0 THEN 'positive' WHEN i < 0 THEN 'negative' ELSE 'zero' END;
END;
CREATE OR REPLACE FUNCTION public.add_a(i integer) RETURNS integer LANGUAGE sql
BEGIN ATOMIC
  INSERT INTO public.a VALUES (i);
  SELECT count(*)::integer FROM public.a WHERE a.x = i;
END;
create procedure public.add_b(i integer) language sql
begin atomic
  insert into public.b values (i);
  delete from public.b where y < 0;
end;
CREATE FUNCTION public.plus_one(i integer) RETURNS integer LANGUAGE sql RETURN CASE WHEN i > 0 THEN i + 1 END;
CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    NEW.note := coalesce(NEW.note, '') || ';';  -- a ';' inside a dollar quote
    RETURN NEW;
END
$body$;
CREATE TRIGGER t_stamp BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.stamp();
CREATE VIEW public.v AS SELECT 1 AS begin, 'end;' AS "end", public.sign_word(-1) AS w;

-- quoting
-- psql reads a file line by line: a literal continues after \r, not after \n
INSERT INTO public.t VALUES (1, E'first' '\'; second');  -- one literal: the \r continues it
INSERT INTO public.t VALUES (9, E'first'
    '\'); -- two literals for psql, one (unterminated) for the server: an error
INSERT INTO public.t VALUES (2, 'it''s; (quoted');
INSERT INTO public.t VALUES (3, $long_tag_of_more_than_sixty_four_characters_0123456789_abcdefghij$;)$long_tag_of_more_than_sixty_four_characters_0123456789_abcdefghij$);
INSERT INTO public.t VALUES (4, U&'\0061;' || B'101'::text || X'1F'::text || N'n;' /* ; /* nested ; */ */);
SET standard_conforming_strings = off;
INSERT INTO public.t VALUES (5, 'back\';slash');
SET standard_conforming_strings = on;
INSERT INTO public.t VALUES (6, 'back\');
SELECT public.add_a(7); CALL public.add_b(8);
BEGIN;
DELETE FROM public.t WHERE x = 6;
COMMIT;

-- empty lines inside a statement, which psql leaves out of what it sends,
-- but not inside a literal; a literal continued across one
INSERT INTO public.t

VALUES (20, 'an empty line

in a literal');
INSERT INTO public.t VALUES (21, E'first'

 '\'; second');
CREATE FUNCTION public.blank_lines() RETURNS integer LANGUAGE sql
BEGIN ATOMIC

  SELECT 1;


END;

-- rows
COPY public.t (x, note) FROM stdin;
10	a;b
11	'quote
12	$$
\.

-- statements that fail are sent all the same
SELECT 1end;
SELECT no_such_column FROM public.t;
