/**
 * Quality gates of the nightly run and its report. Pure pieces the nightly job calls:
 *
 * <ul>
 *   <li>{@link io.instructlake.gates.Profile}: statistics of a batch or a gold table (row count,
 *       null and empty rates, length histogram and quantiles, language and category mix, drop
 *       counts per reason), computed by {@link io.instructlake.gates.Profile#of} in one Spark
 *       aggregation and stored as JSON;
 *   <li>{@link io.instructlake.gates.Divergence}: KL, Jensen-Shannon and PSI of two count maps;
 *   <li>{@link io.instructlake.gates.GateSettings}: the declarative checks of the {@code gates}
 *       configuration section, validated at start;
 *   <li>{@link io.instructlake.gates.QualityGates#evaluate}: profiles in, an ordered {@link
 *       io.instructlake.gates.GateResult} of {@link io.instructlake.gates.Check}s out (passed,
 *       failed or skipped with a reason), with a one-line summary naming every failure;
 *   <li>{@link io.instructlake.gates.RunReport}: {@code report.json} and a self-contained {@code
 *       report.html} (distributions before and after side by side) written through the Hadoop
 *       FileSystem API.
 * </ul>
 *
 * <p>Typical use by the nightly job:
 *
 * <pre>{@code
 * GateSettings s = GateSettings.from(config.section("gates"));
 * Profile batch = Profile.of(newSilverRows, s).withDrops(quarantinedPerReason, rowsIn);
 * Profile gold = Profile.of(candidateGoldRows, s);
 * GateResult r = QualityGates.evaluate(s, batch, previousBatch, gold, previousGold);
 * if (!r.passed()) { restore tables; status = rolled_back; message = r.summary(); }
 * RunReport.builder()...optGates(r).optProfiles(batch, previousBatch, gold, previousGold)
 *     .build().write(reportDir, hadoopConf);
 * }</pre>
 */
package io.instructlake.gates;
