-- Bifrost schema version 1: nodes, ports, node history.
-- Conventions (shared with a future PostgreSQL store, so keep to plain SQL types):
--   * uuid columns hold the lowercase 36-character text form.
--   * timestamps are UTC text 'yyyy-MM-ddTHH:mm:ss.fffffffZ' (fixed width, so text order = time order).
--   * JSON fields are TEXT holding an object ('{}' when empty); traits holds a JSON array of strings.
--   * booleans are INTEGER 0/1; a nullable boolean (automated_clean, secure_boot) is NULL when unset.
--   * provision states are stored by their wire name ('wait call-back'), never by enum number.
-- The id columns only give insertion order (sort_key=id, pagination tie-breaks); nothing outside the store sees them.

CREATE TABLE nodes (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                    TEXT    NOT NULL UNIQUE,
    -- UNIQUE allows any number of NULLs: unnamed nodes are fine.
    name                    TEXT    UNIQUE,
    driver                  TEXT    NOT NULL,
    bios_interface          TEXT,
    boot_interface          TEXT,
    console_interface       TEXT,
    deploy_interface        TEXT,
    inspect_interface       TEXT,
    management_interface    TEXT,
    network_interface       TEXT,
    power_interface         TEXT,
    raid_interface          TEXT,
    rescue_interface        TEXT,
    storage_interface       TEXT,
    vendor_interface        TEXT,
    provision_state         TEXT    NOT NULL,
    target_provision_state  TEXT,
    provision_updated_at    TEXT,
    power_state             TEXT,
    target_power_state      TEXT,
    maintenance             INTEGER NOT NULL DEFAULT 0,
    maintenance_reason      TEXT,
    fault                   TEXT,
    last_error              TEXT,
    reservation             TEXT,
    driver_info             TEXT    NOT NULL DEFAULT '{}',
    driver_internal_info    TEXT    NOT NULL DEFAULT '{}',
    properties              TEXT    NOT NULL DEFAULT '{}',
    instance_info           TEXT    NOT NULL DEFAULT '{}',
    extra                   TEXT    NOT NULL DEFAULT '{}',
    clean_step              TEXT    NOT NULL DEFAULT '{}',
    deploy_step             TEXT    NOT NULL DEFAULT '{}',
    raid_config             TEXT    NOT NULL DEFAULT '{}',
    target_raid_config      TEXT    NOT NULL DEFAULT '{}',
    network_data            TEXT    NOT NULL DEFAULT '{}',
    traits                  TEXT    NOT NULL DEFAULT '[]',
    instance_uuid           TEXT,
    chassis_uuid            TEXT,
    allocation_uuid         TEXT,
    resource_class          TEXT,
    description             TEXT,
    owner                   TEXT,
    lessee                  TEXT,
    conductor_group         TEXT    NOT NULL DEFAULT '',
    shard                   TEXT,
    automated_clean         INTEGER,
    protected               INTEGER NOT NULL DEFAULT 0,
    protected_reason        TEXT,
    retired                 INTEGER NOT NULL DEFAULT 0,
    retired_reason          TEXT,
    console_enabled         INTEGER NOT NULL DEFAULT 0,
    boot_mode               TEXT,
    secure_boot             INTEGER,
    inspection_started_at   TEXT,
    inspection_finished_at  TEXT,
    created_at              TEXT    NOT NULL,
    updated_at              TEXT
);

-- The list filters the API and the conductor's periodic sweeps use most.
CREATE INDEX nodes_maintenance_idx     ON nodes (maintenance);
CREATE INDEX nodes_reservation_idx     ON nodes (reservation);
CREATE INDEX nodes_instance_uuid_idx   ON nodes (instance_uuid);

-- One index per API sort key, on exactly the expression the store orders by (NULL sorts as ''), then id: a page
-- of a sorted list, and the page after a marker, is an index range walk that stops at the limit instead of a
-- sort of every node. provision_state and driver double as filter indexes; uuid uses its UNIQUE index.
CREATE INDEX nodes_provision_state_idx       ON nodes (provision_state, id);
CREATE INDEX nodes_driver_idx                ON nodes (driver, id);
CREATE INDEX nodes_name_sort_idx             ON nodes (COALESCE(name, ''), id);
CREATE INDEX nodes_created_at_sort_idx       ON nodes (created_at, id);
CREATE INDEX nodes_updated_at_sort_idx       ON nodes (COALESCE(updated_at, ''), id);
CREATE INDEX nodes_provision_updated_at_sort_idx ON nodes (COALESCE(provision_updated_at, ''), id);
CREATE INDEX nodes_power_state_sort_idx      ON nodes (COALESCE(power_state, ''), id);

CREATE TABLE ports (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                    TEXT    NOT NULL UNIQUE,
    -- Stored as given (the API lowercases); uniqueness ignores case so AA:.. and aa:.. can never both exist.
    address                 TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    node_id                 INTEGER NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    pxe_enabled             INTEGER NOT NULL DEFAULT 1,
    physical_network        TEXT,
    is_smartnic             INTEGER NOT NULL DEFAULT 0,
    extra                   TEXT    NOT NULL DEFAULT '{}',
    internal_info           TEXT    NOT NULL DEFAULT '{}',
    local_link_connection   TEXT    NOT NULL DEFAULT '{}',
    created_at              TEXT    NOT NULL,
    updated_at              TEXT
);

-- Needed by the cascade (otherwise deleting a node scans every port) and by "ports of node X".
CREATE INDEX ports_node_id_idx ON ports (node_id, id);

CREATE TABLE node_history (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                    TEXT    NOT NULL UNIQUE,
    node_id                 INTEGER NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    created_at              TEXT    NOT NULL,
    severity                TEXT    NOT NULL,
    event_type              TEXT    NOT NULL,
    event                   TEXT    NOT NULL,
    conductor               TEXT    NOT NULL,
    -- Not "user": that is a reserved word in PostgreSQL.
    user_name               TEXT
);

-- One node's timeline in order, and the bound that trims its oldest entries.
CREATE INDEX node_history_node_id_idx ON node_history (node_id, id);
