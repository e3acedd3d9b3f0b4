-- The monthly registers that arrived, by month (Deliveries: the cycle page
-- and every dashboard of a role that follows the cycle). Every API write is
-- an import of its own, so the imports table grows by a row per write, and
-- looking for the few monthly registers by reading it whole made a
-- dashboard take 70 ms after 200,000 writes and ever longer. Partial: the
-- writes outside the monthly cycle (register_month '') are most of the
-- table and cost the index nothing.
CREATE INDEX imports_by_month ON imports (register_month, received_at, id) WHERE register_month <> '';
