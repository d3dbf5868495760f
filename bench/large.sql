-- Bulk data beside the demo data: tenants, accounts (one Global Administrator per tenant),
-- sign-ins over 30 days on both portals (four in five ended), half the tenants switched On.
INSERT INTO accounts_tenant (name, domain, directory_id, created_at)
SELECT 'Tenant ' || g, 'bulk' || g || '.example', gen_random_uuid(), now()
FROM generate_series(1, %(tenants)s) g;
CREATE TEMP TABLE bulk_first AS SELECT
  (SELECT min(id) FROM accounts_tenant WHERE domain LIKE 'bulk%%') AS tenant,
  (SELECT coalesce(max(id), 0) + 1 FROM accounts_user) AS account;
INSERT INTO accounts_user (id, password, is_superuser, email, display_name, tenant_id, is_active,
  is_staff, date_joined)
SELECT f.account + g, %(password)s, false, 'user' || g || '@bulk' || (g %% %(tenants)s) || '.example',
  'User ' || g, f.tenant + (g %% %(tenants)s), true, false, now()
FROM bulk_first f, generate_series(0, %(users)s - 1) g;
SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), (SELECT max(id) FROM accounts_user));
INSERT INTO accounts_roleassignment (user_id, tenant_id, role, assigned_at)
SELECT f.account + g, f.tenant + g, 'global_administrator', now()
FROM bulk_first f, generate_series(0, %(tenants)s - 1) g;
INSERT INTO accounts_signinsession (user_id, tenant_id, portal, session_ref, sid, method,
  signed_in_at, ended_at, end_reason, ip_address, user_agent)
SELECT f.account + (g %% %(users)s), f.tenant + (g %% %(users)s %% %(tenants)s),
  CASE WHEN g %% 3 = 0 THEN 'defender' ELSE 'legacy' END, md5(g::text) || md5(g::text),
  md5((g / 3)::text), 'password',
  now() - (g %% 2592000) * interval '1 second',
  CASE WHEN g %% 5 = 0 THEN NULL ELSE now() - (g %% 2592000) * interval '1 second' + interval '1 hour' END,
  CASE WHEN g %% 5 = 0 THEN '' ELSE 'signed_out' END, '10.0.0.1', 'Mozilla/5.0 (bench)'
FROM bulk_first f, generate_series(0, %(sessions)s - 1) g;
INSERT INTO settings_ui_portalredirection (tenant_id, workload, enabled, enabled_at, updated_at,
  scope)
SELECT f.tenant + g, 'identity', g %% 2 = 0, now() - interval '1 day', now(), 'everyone'
FROM bulk_first f, generate_series(0, %(tenants)s - 1) g;
INSERT INTO settings_ui_redirectionchange (tenant_id, workload, source, kind, old_value,
  new_value, old_text, new_text, reason, changed_at, user_agent)
SELECT f.tenant + (g %% %(tenants)s), 'identity', 'api', 'switch', g %% 2 = 1, g %% 2 = 0, '', '',
  '', now() - interval '2 days' + g * interval '1 second', ''
FROM bulk_first f, generate_series(0, 3 * %(tenants)s - 1) g;
ANALYZE
