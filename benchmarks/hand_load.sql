-- Hand-written DuckDB SQL producing the tables a ranking build loads (issue 16's
-- baseline): the record facts and the pair tables of the three base levels, with
-- the same rules as innometrics.rankings.credits (author-level fractional,
-- first- and corresponding-author credit, unlinked authors and records without
-- author links, helper rows, top 10 % shares with ties split, collaboration).
-- {records}, {contributors}, {affiliations} are replaced by the input tables.
CREATE OR REPLACE TEMP TABLE h_facts AS
WITH rec AS (
    SELECT record_id, CAST(year AS BIGINT) AS year, coalesce(CAST(weight AS DOUBLE), 1.0) AS weight,
           CAST(citations AS DOUBLE) AS citations, row_number() OVER (ORDER BY record_id) AS record_key
    FROM {records}),
au AS (SELECT record_id, count(*) AS n_authors, sum(CAST(is_corresponding AS BIGINT)) AS n_corr,
              min(CAST(position AS BIGINT)) AS first_position
       FROM {contributors} GROUP BY record_id),
ad AS (SELECT record_id, count(*) AS n_addresses, count(position) AS n_linked,
              min(country) AS cmin, max(country) AS cmax
       FROM {affiliations} GROUP BY record_id),
f AS (SELECT rec.*, coalesce(n_authors, 0) AS n_authors, coalesce(n_corr, 0) AS n_corr, first_position,
             coalesce(n_addresses, 0) AS n_addresses,
             coalesce(cmin <> cmax, false) AS is_international,
             CASE WHEN coalesce(n_authors, 0) > 0 AND (coalesce(n_linked, 0) > 0 OR coalesce(n_addresses, 0) = 0)
                  THEN 'authors' WHEN coalesce(n_addresses, 0) > 0 THEN 'addresses' ELSE 'none' END AS mode
      FROM rec LEFT JOIN au USING (record_id) LEFT JOIN ad USING (record_id)),
pv AS (SELECT year, citations, count(*) AS n_eq FROM f
       WHERE year IS NOT NULL AND citations IS NOT NULL GROUP BY year, citations),
share AS (SELECT year, citations,
                 greatest(0.0, least(1.0, (0.1 * sum(n_eq) OVER (PARTITION BY year)
                     - (sum(n_eq) OVER (PARTITION BY year ORDER BY citations DESC) - n_eq)) / n_eq)) AS top_share
          FROM pv)
SELECT f.*, share.top_share FROM f LEFT JOIN share USING (year, citations);

CREATE OR REPLACE TEMP TABLE h_ck AS
WITH k AS (SELECT record_id, CAST(position AS BIGINT) AS position, count(*) AS k
           FROM {affiliations} WHERE position IS NOT NULL GROUP BY ALL),
c AS (SELECT c.record_id, CAST(c.position AS BIGINT) AS position, CAST(c.is_corresponding AS BOOLEAN) AS is_corr,
             f.record_key, f.weight AS w, CAST(f.n_authors AS DOUBLE) AS n, f.n_corr, f.first_position,
             CAST(coalesce(k.k, 0) AS DOUBLE) AS k
      FROM {contributors} c JOIN h_facts f ON f.record_id = c.record_id AND f.mode = 'authors'
      LEFT JOIN k ON k.record_id = c.record_id AND k.position = CAST(c.position AS BIGINT))
SELECT record_id, position, record_key, k,
       CASE WHEN k > 0 THEN w / (n * k) ELSE w / n END AS frac,
       CASE WHEN position = first_position THEN (CASE WHEN k > 0 THEN w / k ELSE w END) ELSE 0.0 END AS first,
       CASE WHEN is_corr AND n_corr > 0 THEN (CASE WHEN k > 0 THEN w / (n_corr * k) ELSE w / n_corr END)
            ELSE 0.0 END AS corr
FROM c;

-- one pair table per level: {unit} is the level's unit expression on an affiliation row
CREATE OR REPLACE TEMP TABLE h_pairs_{level} AS
WITH a AS (SELECT record_id, CAST(position AS BIGINT) AS position, {unit} AS unit, {name} AS unit_name
           FROM {affiliations}),
rows AS (
    SELECT ck.record_key, a.unit, a.unit_name, false AS is_helper, ck.frac, ck.first, ck.corr
    FROM a JOIN h_ck ck ON ck.record_id = a.record_id AND ck.position = a.position
    UNION ALL
    SELECT record_key, NULL, NULL, false, frac, first, corr FROM h_ck WHERE k = 0
    UNION ALL
    SELECT f.record_key, a.unit, a.unit_name, false, f.weight / f.n_addresses, 0.0, 0.0
    FROM a JOIN h_facts f ON f.record_id = a.record_id AND f.mode = 'addresses'
    UNION ALL
    SELECT record_key, NULL, NULL, mode <> 'none', CASE WHEN mode = 'none' THEN weight ELSE 0.0 END,
           CASE WHEN mode = 'authors' THEN 0.0 ELSE weight END, weight
    FROM h_facts WHERE mode <> 'authors' OR n_corr = 0),
agg AS (SELECT record_key, coalesce(unit, 'unknown') AS unit, is_helper, min(unit_name) AS unit_name,
               sum(frac) AS frac, sum(first) AS first, sum(corr) AS corr, count(*) AS n_links
        FROM rows GROUP BY ALL)
SELECT agg.record_key, agg.unit, {unit_name_out} AS unit_name, agg.is_helper, agg.frac, agg.first, agg.corr,
       agg.n_links, f.year, f.weight, f.citations, f.top_share, f.is_international
FROM agg JOIN h_facts f USING (record_key);
