/**
 * PostgreSQL implementations of the SPI over plain JDBC ({@code java.sql}, {@code javax.sql}); the driver is the
 * host's to put on the class path.
 */
package io.tenantdb.provisioning.postgres;
