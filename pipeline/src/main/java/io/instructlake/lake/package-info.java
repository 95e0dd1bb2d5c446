/**
 * The lake: Delta tables under one root ({@link io.instructlake.lake.Lake}, {@link
 * io.instructlake.lake.LakeTable}), the record and quarantine schemas, and {@link
 * io.instructlake.lake.Run}, which records each command in the {@code runs} table and restores
 * every table it touched when the command fails.
 */
package io.instructlake.lake;
