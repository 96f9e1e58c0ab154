-- Equality filters on the text fields the model marks `indexed` (`DataType::scalar_fields` in
-- commerce-model) read only the matching rows, already in id order, instead of testing every
-- row's JSON. Partial: each index holds one data type's live records. The expressions are spelt
-- exactly as `query.rs` writes them, or the planner would not match them; the test
-- `indexed_fields_have_their_index` checks that every indexed field has its index here.
CREATE INDEX records_disputes_status ON records (connection_id, data_type, json_extract(data, '$.status'), id)
    WHERE data_type = 'commerce-disputes' AND deleted = FALSE;
CREATE INDEX records_payments_currency ON records (connection_id, data_type, json_extract(data, '$.currency'), id)
    WHERE data_type = 'commerce-payments' AND deleted = FALSE;
CREATE INDEX records_payments_status ON records (connection_id, data_type, json_extract(data, '$.status'), id)
    WHERE data_type = 'commerce-payments' AND deleted = FALSE;
CREATE INDEX records_transactions_currency ON records (connection_id, data_type, json_extract(data, '$.currency'), id)
    WHERE data_type = 'commerce-transactions' AND deleted = FALSE;
CREATE INDEX records_transactions_type ON records (connection_id, data_type, json_extract(data, '$.type'), id)
    WHERE data_type = 'commerce-transactions' AND deleted = FALSE;
-- The number fields marked `indexed`: pages step through these in id order (they lead with the
-- same columns as `records_live`) and test a range filter on the value held in the index, reading
-- a record's JSON only when it matches. PostgreSQL does not evaluate a filter from an index this
-- way, so they exist on SQLite only.
CREATE INDEX records_payments_amount ON records (connection_id, data_type, id, json_extract(data, '$.amount'))
    WHERE data_type = 'commerce-payments' AND deleted = FALSE;
CREATE INDEX records_transactions_totalamount ON records (connection_id, data_type, id, json_extract(data, '$.totalAmount'))
    WHERE data_type = 'commerce-transactions' AND deleted = FALSE;
