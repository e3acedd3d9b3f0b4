-- The register page filters by region, service, period and status and
-- pages by (end_date, record_id), newest or oldest first (store.ListBrief).
-- With region and service both given, this index is one range in the
-- page's order: the first page and the thousandth read the same few
-- entries. blocking is tested on the index entry, so the page's count of
-- a filter reads the index alone; and with client_full_name the index
-- holds every column the page shows, so the page never reads the table,
-- whose rows are scattered over gigabytes at ten million records.
CREATE INDEX records_region_service_end ON records (region_kato, service_code, end_date, record_id, blocking, client_full_name);

-- Records with blocking findings are a few in a hundred. A page or a count
-- of them over a wide filter (a region, a month, the whole register) would
-- otherwise read every record of the filter to find the few; these indexes
-- hold only them, in the page's order.
CREATE INDEX records_blocking_end ON records (end_date, record_id) WHERE blocking <> 0;
CREATE INDEX records_blocking_region_end ON records (region_kato, end_date, record_id) WHERE blocking <> 0;
