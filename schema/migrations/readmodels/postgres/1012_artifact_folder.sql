-- The token of the artifacts folder this installation's processes share (without an S3
-- bucket): the first process to start writes it here and into the folder; a process whose
-- folder holds another token, or none while this row exists, refuses to start, instead of
-- failing deploys later with missing files. Not a read model (no rebuild touches it).
CREATE TABLE IF NOT EXISTS artifact_folder (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    token      TEXT    NOT NULL
);
