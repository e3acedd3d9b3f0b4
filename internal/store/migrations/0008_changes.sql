-- What changed which records' counting, in commit order: the in-memory
-- indicator index (internal/stats/live) reads it to catch up with writes
-- made by any process — this server, another one on the same PostgreSQL,
-- or the esep command — without reloading everything. id is the commit
-- order (see Changes). Each row names one
-- set of records to read again:
--   record_id        one record written;
--   end_from/end_to  every record ending in that range (a large import);
--   letter_id        the records of a letter that was sent (their
--                    correction deadline changed);
--   acts_import_id   the records under the acts of an act registry.
CREATE TABLE changes (
    {{id}},
    record_id      TEXT,
    end_from       TEXT,
    end_to         TEXT,
    letter_id      BIGINT,
    acts_import_id BIGINT
);
