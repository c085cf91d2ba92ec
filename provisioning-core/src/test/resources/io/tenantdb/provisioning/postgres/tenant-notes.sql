-- A host schema for SqlScriptInitializer tests: runs as the tenant's own role.
CREATE TABLE notes (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body text NOT NULL
);
INSERT INTO notes (body) VALUES ('initialized');
