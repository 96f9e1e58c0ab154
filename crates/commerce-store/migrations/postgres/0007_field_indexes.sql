-- Equality filters on the text fields the model marks `indexed` (`DataType::scalar_fields` in
-- commerce-model) read only the matching rows, already in id order, instead of testing every
-- row's JSON. Partial: each index holds one data type's live records. The expressions are spelt
-- exactly as `query.rs` writes them, or the planner would not match them; the test
-- `indexed_fields_have_their_index` checks that every indexed field has its index here.
CREATE INDEX records_disputes_status ON records (connection_id, data_type, (data ->> 'status'), id)
    WHERE data_type = 'commerce-disputes' AND deleted = FALSE;
CREATE INDEX records_payments_currency ON records (connection_id, data_type, (data ->> 'currency'), id)
    WHERE data_type = 'commerce-payments' AND deleted = FALSE;
CREATE INDEX records_payments_status ON records (connection_id, data_type, (data ->> 'status'), id)
    WHERE data_type = 'commerce-payments' AND deleted = FALSE;
CREATE INDEX records_transactions_currency ON records (connection_id, data_type, (data ->> 'currency'), id)
    WHERE data_type = 'commerce-transactions' AND deleted = FALSE;
CREATE INDEX records_transactions_type ON records (connection_id, data_type, (data ->> 'type'), id)
    WHERE data_type = 'commerce-transactions' AND deleted = FALSE;
