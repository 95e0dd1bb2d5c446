package io.instructlake.gates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class RunReportTest {
  private static final long[] BINS = QualityGatesTest.BINS;

  private static RunReport failedReport() {
    Profile previousGold = QualityGatesTest.healthy(100);
    long[] counts = new long[BINS.length];
    counts[1] = 60;
    counts[3] = 40;
    Profile batch =
        Profile.builder()
            .setRows(100)
            .optEmpties(0, 50)
            .setLengthHistogram(BINS, counts)
            .optQuantiles(40, 200, 250)
            .optLanguages(Map.of("en", 70L, "zh", 30L))
            .optCategories(Map.of("finance", 90L, "<law & order>", 10L))
            .optDrops(Map.of("too_short", 5L), 105)
            .build();
    Profile candidateGold = batch; // stands in for gold + batch
    GateResult gates =
        QualityGates.evaluate(
            GateSettings.defaults(), batch, previousGold, candidateGold, previousGold);
    return RunReport.builder()
        .setRunId("run-42")
        .setCommand("nightly")
        .setStatus(RunReport.Status.ROLLED_BACK)
        .optMessage("<script>alert('x')</script> & " + gates.summary())
        .optGeneratedAt(Instant.parse("2024-01-02T03:04:05Z"))
        .optTableVersions(
            Map.of("gold.train", 3L, "silver.records", 7L),
            Map.of("gold.train", 3L, "silver.records", 7L))
        .optStageCounts(Map.of("ingest", Map.of("kept", 100L, "dropped_too_short", 5L)))
        .optGates(gates)
        .optProfiles(batch, previousGold, candidateGold, previousGold)
        .build();
  }

  @Test
  void jsonParsesBackWithTheFailedCheck() throws Exception {
    RunReport r = failedReport();
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertEquals("run-42", n.get("run_id").asText());
    assertEquals("rolled_back", n.get("status").asText());
    assertFalse(n.get("gates").get("passed").asBoolean());
    boolean found = false;
    for (JsonNode c : n.get("gates").get("checks")) {
      if (c.get("name").asText().equals("empty-rate.response")) {
        assertEquals("FAILED", c.get("status").asText());
        assertEquals(0.5, c.get("value").asDouble(), 1e-12);
        found = true;
      }
    }
    assertTrue(found, "empty-rate.response missing from " + n.get("gates"));
    assertTrue(n.get("gates").get("summary").asText().contains("empty-rate.response=0.5 > 0.05"));
    assertEquals(7, n.get("tables").get("before").get("silver.records").asLong());
    // profiles round-trip through the report JSON too
    assertEquals(r.candidateGold(), Profile.fromNode(n.get("profiles").get("candidate_gold")));
    assertTrue(n.get("profiles").get("previous_batch").isObject());
  }

  @Test
  void htmlIsWellFormedEscapedAndSelfContained() throws Exception {
    String html = failedReport().toHtml();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    Document doc =
        f.newDocumentBuilder()
            .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    // The failed check is named in the alert box at the top, before the full check table.
    String alert =
        XPathFactory.newInstance()
            .newXPath()
            .evaluate("//*[local-name()='div' and @class='alert']", doc);
    assertTrue(alert.contains("empty-rate.response=0.5 > 0.05"), alert);
    assertTrue(html.indexOf("class=\"alert\"") < html.indexOf("<h2>Quality gates</h2>"));
    NodeList failedRows =
        (NodeList)
            XPathFactory.newInstance()
                .newXPath()
                .evaluate(
                    "//*[local-name()='tr' and @class='failed']", doc, XPathConstants.NODESET);
    assertTrue(failedRows.getLength() >= 1);
    // Side-by-side bars for before and after, one category with markup in its name escaped.
    assertTrue(html.contains("rect class=\"before\""));
    assertTrue(html.contains("rect class=\"after\""));
    assertTrue(html.contains("&lt;law &amp; order&gt;"));
    assertFalse(html.contains("<script"));
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)"));
    String lower = html.toLowerCase(Locale.ROOT);
    assertFalse(lower.contains(" src="), "no external assets");
    assertFalse(lower.contains(" href="), "no external assets");
    assertFalse(lower.contains("<link"), "no external assets");
  }

  @Test
  void writesBothFilesThroughHadoopFileSystem(@TempDir java.nio.file.Path tmp) throws Exception {
    RunReport r = failedReport();
    Path dir = new Path(tmp.resolve("reports/run-42").toUri());
    Path html = r.write(dir, new Configuration());
    assertNotNull(html);
    java.nio.file.Path local = tmp.resolve("reports/run-42");
    assertEquals(
        r.toJson(), Files.readString(local.resolve(RunReport.JSON_FILE), StandardCharsets.UTF_8));
    assertEquals(
        r.toHtml(), Files.readString(local.resolve(RunReport.HTML_FILE), StandardCharsets.UTF_8));
    // a rerun overwrites
    r.write(dir, new Configuration());
  }

  @Test
  void profileFileRoundTripAndMissingFileIsNull(@TempDir java.nio.file.Path tmp) throws Exception {
    Profile p = QualityGatesTest.healthy(30);
    Path file = new Path(tmp.resolve("side/gates/last-gold.json").toUri());
    assertEquals(null, Profile.read(file, new Configuration()));
    p.write(file, new Configuration());
    assertEquals(p, Profile.read(file, new Configuration()));
  }
}
