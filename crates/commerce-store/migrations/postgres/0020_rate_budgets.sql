-- Request rate budgets shared by every process on this database (see docs/operations.md,
-- "Rate budgets"): per budget name, the next free request slot in microseconds since the Unix
-- epoch of the database clock. Reservations move it on (generic cell rate algorithm).
CREATE TABLE rate_budgets (
    name TEXT PRIMARY KEY,
    next_slot_us BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
