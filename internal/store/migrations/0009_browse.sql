-- The register page filters by region, service, period and status and
-- pages by (end_date, record_id), newest or oldest first (store.ListRecords).
-- With region and service both given, this index is one range in the
-- page's order: the first page and the thousandth read the same few
-- entries. blocking comes last, so that the status is tested on the index
-- entry and the row is read only for a record shown, and so that the
-- page's count of a filter reads the index alone.
CREATE INDEX records_region_service_end ON records (region_kato, service_code, end_date, record_id, blocking);

-- Records with blocking findings are a few in a hundred. A page or a count
-- of them over a wide filter (a region, a month, the whole register) would
-- otherwise read every record of the filter to find the few; these indexes
-- hold only them, in the page's order.
CREATE INDEX records_blocking_end ON records (end_date, record_id) WHERE blocking <> 0;
CREATE INDEX records_blocking_region_end ON records (region_kato, end_date, record_id) WHERE blocking <> 0;
