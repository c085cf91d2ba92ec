/** AES-256-GCM implementation of {@link io.tenantdb.provisioning.spi.CipherService}, JDK only. */
package io.tenantdb.provisioning.crypto;
