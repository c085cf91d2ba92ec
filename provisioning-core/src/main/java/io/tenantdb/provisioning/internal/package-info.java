/**
 * Implementation details of the provisioner. Unsupported for callers: anything here may change without notice.
 */
package io.tenantdb.provisioning.internal;
