/**
 * The HTTP adapter: {@link io.tenantdb.provisioning.servlet.TenantServlet} serves {@code /api/v1/tenants},
 * {@link io.tenantdb.provisioning.servlet.BearerTokenFilter} guards it, and
 * {@link io.tenantdb.provisioning.servlet.HealthServlet} answers {@code /healthz}. The host registers all three
 * with collaborators it built itself; nothing here reads configuration. Request validation and the mapping of
 * every failure to an {@code application/problem+json} response live in servlet-free package-private classes.
 * The wire contract is documented in {@code docs/http-api.md}.
 */
package io.tenantdb.provisioning.servlet;
