/**
 * The nightly incremental refresh: exactly-once file tracking ({@link
 * io.instructlake.nightly.IngestedFiles}), recovery of a killed run ({@link
 * io.instructlake.nightly.InflightMarker}), quality gates before publish and the run report ({@link
 * io.instructlake.nightly.NightlyJob}).
 */
package io.instructlake.nightly;
