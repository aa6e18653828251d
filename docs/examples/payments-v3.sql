-- The demo's payments schema, version 3 (PostgreSQL DDL, as pg_dump --schema-only or a migration writes it).
-- Against v2: refund.reason added (nullable: safe), payment.card_last4 dropped and payment.currency
-- narrowed from char(3) to char(2) — both breaking.
CREATE TABLE payment (
    id bigint PRIMARY KEY,
    amount numeric(12,2) NOT NULL,
    currency char(2) NOT NULL,
    status varchar(20) NOT NULL DEFAULT 'pending'
);
CREATE TABLE refund (
    id bigint PRIMARY KEY,
    payment_id bigint NOT NULL REFERENCES payment (id),
    amount numeric(12,2) NOT NULL,
    reason text
);
CREATE INDEX payment_status ON payment (status);
