-- tests/pg/pagila_data.sql — rows for every table of the pagila schema
-- (tests/fixtures/pagila), consistent with its keys, so that a restore
-- re-validates every constraint.  Triggers and foreign keys are switched off
-- while loading (store and staff reference each other).
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
INSERT INTO public.language (name) SELECT l FROM unnest(ARRAY['English','Italiano','日本語','Deutsch']) l;
INSERT INTO public.category (name) SELECT 'Category ' || g FROM generate_series(1, 16) g;
INSERT INTO public.actor (first_name, last_name) SELECT 'First' || g, E'Last\t' || g FROM generate_series(1, 200) g;
INSERT INTO public.country (country) SELECT 'Country ' || g FROM generate_series(1, 20) g;
INSERT INTO public.city (city, country_id) SELECT 'City ' || g, 1 + g % 20 FROM generate_series(1, 100) g;
INSERT INTO public.address (address, address2, district, city_id, postal_code, phone)
    SELECT g || E' Main St\nApt ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE '' END, 'District', 1 + g % 100,
           lpad(g::text, 5, '0'), '555-' || g FROM generate_series(1, 600) g;
INSERT INTO public.staff (first_name, last_name, address_id, email, store_id, username, password, picture)
    SELECT 'Staff', 'Member ' || g, g, 's' || g || '@example.org', g, 'user' || g, md5(g::text),
           CASE WHEN g = 1 THEN '\x89504e470d0a1a0a'::bytea END FROM generate_series(1, 2) g;
INSERT INTO public.store (manager_staff_id, address_id) SELECT g, g FROM generate_series(1, 2) g;
INSERT INTO public.film (title, description, release_year, language_id, original_language_id, length, rating,
                         special_features, fulltext)
    SELECT 'Film ' || g, 'A \ story about "' || g || E'"\r\n', 1990 + g % 30, 1 + g % 4,
           CASE WHEN g % 5 = 0 THEN 2 END, 60 + g % 120,
           (enum_range(NULL::public.mpaa_rating))[1 + g % 5],
           CASE WHEN g % 2 = 0 THEN ARRAY['Trailers', 'Deleted Scenes'] ELSE '{}' END,
           to_tsvector('english', 'Film ' || g || ' story')
    FROM generate_series(1, 1000) g;
INSERT INTO public.film_actor (actor_id, film_id) SELECT 1 + (g * 7 + k) % 200, g FROM generate_series(1, 1000) g, generate_series(0, 4) k;
INSERT INTO public.film_category (film_id, category_id) SELECT g, 1 + g % 16 FROM generate_series(1, 1000) g;
INSERT INTO public.inventory (film_id, store_id) SELECT 1 + g % 1000, 1 + g % 2 FROM generate_series(1, 4000) g;
INSERT INTO public.customer (store_id, first_name, last_name, email, address_id, active)
    SELECT 1 + g % 2, 'Cüstomer', 'N' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'c' || g || '@example.org' END,
           2 + g % 598, g % 2 FROM generate_series(1, 600) g;
INSERT INTO public.rental (rental_date, inventory_id, customer_id, return_date, staff_id)
    SELECT timestamptz '2022-01-01' + g * interval '47 minutes', 1 + g % 4000, 1 + g % 600,
           CASE WHEN g % 10 = 0 THEN NULL ELSE timestamptz '2022-01-03' + g * interval '47 minutes' END, 1 + g % 2
    FROM generate_series(1, 16000) g;
INSERT INTO public.payment (customer_id, staff_id, rental_id, amount, payment_date)
    SELECT 1 + g % 600, 1 + g % 2, 1 + g % 16000, (g % 1000) / 100.0,
           timestamptz '2022-01-01 00:00:00+00' + g * interval '97 minutes'
    FROM generate_series(1, 24000) g;
-- last_update defaults to now(): fixed, so that two loads of this file hold
-- the same rows (tests/pg/cross_version.sh loads it again as its oracle)
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE a.attname = 'last_update' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
             AND c.relnamespace = 'public'::regnamespace LOOP
    EXECUTE format('UPDATE %s SET last_update = %L', t, '2022-01-01 00:00:00+00');
  END LOOP;
END $$;
RESET session_replication_role;
REFRESH MATERIALIZED VIEW public.rental_by_category;
ANALYZE;
