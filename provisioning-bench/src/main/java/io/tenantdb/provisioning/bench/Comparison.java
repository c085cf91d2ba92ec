package io.tenantdb.provisioning.bench;

/**
 * One setting's three workloads side by side, and how (b) and (c) compare with the floor (a).
 *
 * @param concurrency concurrent workers
 * @param existing    tenant databases that existed during the measurement
 * @param floor       (a) the plain-JDBC floor
 * @param provisioner (b) {@code TenantProvisioner.provision} in-process
 * @param http        (c) {@code POST /api/v1/tenants} over HTTP
 */
record Comparison(int concurrency, int existing, LatencySummary floor, LatencySummary provisioner,
                  LatencySummary http) {

    /** Median latency of (b) over (a); above 1 means slower than the floor. */
    double provisionerP50Ratio() {
        return floor.p50Millis() == 0 ? Double.NaN : provisioner.p50Millis() / floor.p50Millis();
    }

    /** Median latency of (c) over (a). */
    double httpP50Ratio() {
        return floor.p50Millis() == 0 ? Double.NaN : http.p50Millis() / floor.p50Millis();
    }

    /** Throughput of (b) over (a); below 1 means fewer tenants per second than the floor. */
    double provisionerThroughputRatio() {
        return floor.perSecond() == 0 ? Double.NaN : provisioner.perSecond() / floor.perSecond();
    }

    /** Throughput of (c) over (a). */
    double httpThroughputRatio() {
        return floor.perSecond() == 0 ? Double.NaN : http.perSecond() / floor.perSecond();
    }
}
