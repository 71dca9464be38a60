-- Bifrost schema version 3: the hardware inventory an agent reported during inspection (GET /v1/nodes/{id}/inventory,
-- Ironic API 1.81). One row per node, replaced by each inspection; goes with the node (ON DELETE CASCADE).
-- inventory and plugin_data are JSON objects as text.

CREATE TABLE node_inventory (
    node_id     INTEGER NOT NULL PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    inventory   TEXT    NOT NULL,
    plugin_data TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL
);
