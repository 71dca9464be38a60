-- Bifrost schema version 2: DHCP bindings (ILeaseStore). Same conventions as 0001: plain SQL types, timestamps as
-- fixed-width UTC text, booleans as INTEGER 0/1. One row per address; a MAC holds at most one row (the store deletes
-- a MAC's other rows when it saves one, so no partial unique index is needed: declined rows have mac '').

CREATE TABLE dhcp_leases (
    address     TEXT    NOT NULL PRIMARY KEY,
    mac         TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    declined    INTEGER NOT NULL DEFAULT 0,
    hostname    TEXT,
    updated_at  TEXT    NOT NULL
);

CREATE INDEX dhcp_leases_mac ON dhcp_leases (mac);
