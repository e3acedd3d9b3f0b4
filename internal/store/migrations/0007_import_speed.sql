-- Indexes that every imported row paid for and no query used.
-- records_end_date is the first column of records_end_id (0003), which
-- serves every query by end_date; nothing looks records up by client_key
-- (the clients table holds each person's key).
DROP INDEX records_end_date;
DROP INDEX records_client_key;
