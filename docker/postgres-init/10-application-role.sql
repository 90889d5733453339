-- The application's own role (docker-compose.yml): it logs in as chis_app, owns nothing and, once
-- CHIS Flow has migrated as the owner (CHIS_MIGRATION_DATABASE_URL), may only INSERT and SELECT on
-- audit_events. The grants are given by CHIS Flow itself at every start (db/roles.ts).
CREATE ROLE chis_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'chis_app';
