package io.instructlake.corpus;

import static io.instructlake.corpus.Vocabulary.pick;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import io.instructlake.PipelineException;
import io.instructlake.config.ConfigReader;
import io.instructlake.config.PipelineConfig;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Writes a deterministic (seeded) bilingual instruction corpus of any size in every input format
 * ingest reads, with known injected exact and near duplicates, PII, noise, very short responses,
 * template slots, skewed categories and labels, and malformed units. The same seed and options give
 * byte-identical files. Counts of everything injected are returned as a {@link Manifest} and
 * written to {@code _manifest.json}.
 *
 * <p>File kinds and their share of units: alpaca JSON array 30%, alpaca JSONL.gz 15%, sharegpt JSON
 * array (from/value, tools) 20%, sharegpt JSONL.zst (role/content) 10%, prompt-response JSONL (BOM,
 * CRLF) 10%, plain text 5%, Parquet 10%.
 */
public final class CorpusGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] KINDS = {
    "alpaca-json",
    "alpaca-jsonl.gz",
    "sharegpt-json",
    "sharegpt-jsonl.zst",
    "prompt-response-jsonl",
    "text-txt",
    "parquet"
  };
  private static final double[] KIND_WEIGHTS = {0.30, 0.15, 0.20, 0.10, 0.10, 0.05, 0.10};
  private static final MessageType PARQUET_SCHEMA =
      MessageTypeParser.parseMessageType(
          "message alpaca { optional binary instruction (UTF8); optional binary input (UTF8);"
              + " optional binary output (UTF8); optional binary category (UTF8); }");

  private final Path outputDir;
  private final long records;
  private final long seed;
  private final double exactShare;
  private final double nearShare;
  private final double piiShare;
  private final double malformedShare;
  private final double shortShare;
  private final double chineseShare;
  private final int recordsPerFile;

  private CorpusGenerator(Builder b) {
    this.outputDir = b.outputDir;
    this.records = b.records;
    this.seed = b.seed;
    this.exactShare = b.exactShare;
    this.nearShare = b.nearShare;
    this.piiShare = b.piiShare;
    this.malformedShare = b.malformedShare;
    this.shortShare = b.shortShare;
    this.chineseShare = b.chineseShare;
    this.recordsPerFile = b.recordsPerFile;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder with the {@code generate.*} settings of {@code config}. */
  public static Builder fromConfig(PipelineConfig config) {
    ConfigReader g = config.section("generate");
    return builder()
        .optRecords(g.longValue("records", 1, 100_000_000L))
        .optSeed(g.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE))
        .optExactDuplicateShare(g.fraction("exact-duplicate-share"))
        .optNearDuplicateShare(g.fraction("near-duplicate-share"))
        .optPiiShare(g.fraction("pii-share"))
        .optMalformedShare(g.fraction("malformed-share"))
        .optShortShare(g.fraction("short-share"))
        .optChineseShare(g.fraction("chinese-share"));
  }

  /** One example before serialization. */
  private record Example(
      String system,
      List<String[]> turns,
      String tools,
      String category,
      String label,
      boolean chinese,
      boolean longResponse) {}

  /** Writes the corpus; returns what was injected. */
  public Manifest generate() throws IOException {
    Files.createDirectories(outputDir);
    Manifest m = new Manifest();
    m.seed = seed;
    m.requestedRecords = records;
    Random rnd = new Random(seed);
    Writers w = new Writers(outputDir, recordsPerFile);
    List<List<Example>> history = new ArrayList<>();
    java.util.Set<String> nearSeen = new java.util.HashSet<>();
    for (int k = 0; k < KINDS.length; k++) {
      history.add(new ArrayList<>());
    }
    try {
      for (long i = 0; i < records; i++) {
        int kind = Vocabulary.weighted(rnd, KIND_WEIGHTS);
        List<Example> hist = history.get(kind);
        double x = rnd.nextDouble();
        if (x < malformedShare) {
          writeMalformed(rnd, w, kind, m);
          continue;
        }
        x -= malformedShare;
        Example e;
        if (x < exactShare && !hist.isEmpty()) {
          e = hist.get(rnd.nextInt(hist.size()));
          m.exactDuplicates++;
        } else if (x < exactShare + nearShare && hasLong(hist)) {
          // Two near copies of one original can coincide; retry so each is a distinct record and
          // the manifest's exact-duplicate count stays exact.
          do {
            e = nearCopy(rnd, longOne(rnd, hist));
          } while (!nearSeen.add(contentKey(e)));
          m.nearDuplicates++;
        } else {
          e = fresh(rnd, kind, m);
          if (hist.size() < 2000) {
            hist.add(e);
          } else {
            hist.set(rnd.nextInt(hist.size()), e);
          }
        }
        write(w, kind, e);
        m.units++;
        m.validRecords++;
        m.inc(m.byFileKind, KINDS[kind]);
        if (e.chinese) {
          m.chinese++;
        }
        if (e.category != null && kind != 5) {
          m.inc(m.categories, e.category);
        }
        if (e.label != null && kind != 5 && kind != 6) {
          m.inc(m.labels, e.label);
        }
      }
      m.blankLines = w.blankLines;
    } finally {
      w.close();
    }
    m.write(outputDir.resolve("_manifest.json"));
    return m;
  }

  private static String contentKey(Example e) {
    StringBuilder sb = new StringBuilder();
    for (String[] t : e.turns) {
      sb.append(t[0]).append('\u001f').append(t[1]).append('\u001e');
    }
    return io.instructlake.ingest.RecordIds.sha256Hex(sb.toString());
  }

  private static boolean hasLong(List<Example> hist) {
    for (Example e : hist) {
      if (e.longResponse) {
        return true;
      }
    }
    return false;
  }

  private static Example longOne(Random rnd, List<Example> hist) {
    while (true) {
      Example e = hist.get(rnd.nextInt(hist.size()));
      if (e.longResponse) {
        return e;
      }
    }
  }

  /** Changes one number in the last response: a near duplicate with high Jaccard similarity. */
  private static Example nearCopy(Random rnd, Example e) {
    List<String[]> turns = new ArrayList<>();
    for (String[] t : e.turns) {
      turns.add(t.clone());
    }
    String[] last = turns.get(turns.size() - 1);
    String s = last[1];
    java.util.regex.Matcher mt = java.util.regex.Pattern.compile("\\d+").matcher(s);
    List<int[]> spans = new ArrayList<>();
    while (mt.find()) {
      spans.add(new int[] {mt.start(), mt.end()});
    }
    if (spans.isEmpty()) {
      last[1] = s + (e.chinese ? "另外，请注意细节。" : " Also, mind the details.");
    } else {
      int[] sp = spans.get(rnd.nextInt(spans.size()));
      int old = Integer.parseInt(s.substring(sp[0], Math.min(sp[1], sp[0] + 6)));
      last[1] = s.substring(0, sp[0]) + (old + 1 + rnd.nextInt(5)) + s.substring(sp[1]);
    }
    return new Example(e.system, turns, e.tools, e.category, e.label, e.chinese, true);
  }

  private Example fresh(Random rnd, int kind, Manifest m) {
    boolean zh = rnd.nextDouble() < chineseShare;
    int cat = Vocabulary.weighted(rnd, Vocabulary.CATEGORY_WEIGHTS);
    String category = Vocabulary.CATEGORIES.get(cat);
    String topic = pick(rnd, zh ? Vocabulary.ZH_TOPICS[cat] : Vocabulary.EN_TOPICS[cat]);
    String label = null;
    String instruction;
    String response;
    boolean longResponse = false;
    if (!zh && rnd.nextDouble() < 0.10) {
      int l = Vocabulary.weighted(rnd, Vocabulary.LABEL_WEIGHTS);
      label = Vocabulary.LABELS.get(l);
      String review =
          String.format(
              Locale.ROOT,
              pick(rnd, Vocabulary.EN_SENTIMENT),
              Vocabulary.EN_SENTIMENT_WORDS[l],
              2 + rnd.nextInt(20));
      instruction =
          "Classify the sentiment of this review as positive, negative or neutral: "
              + review
              + " (ticket "
              + (100000 + rnd.nextInt(900000))
              + ")";
      response = label;
    } else {
      instruction =
          String.format(
                  Locale.ROOT,
                  pick(rnd, zh ? Vocabulary.ZH_INSTRUCTIONS : Vocabulary.EN_INSTRUCTIONS),
                  topic)
              + (zh
                  ? String.format(
                      Locale.ROOT,
                      "我今年%d岁，预算大约%d元。",
                      18 + rnd.nextInt(70),
                      1000 + rnd.nextInt(99000))
                  : String.format(
                      Locale.ROOT,
                      " I am %d years old and my budget is about %d dollars.",
                      18 + rnd.nextInt(70),
                      1000 + rnd.nextInt(99000)));
      if (rnd.nextDouble() < shortShare) {
        response =
            zh
                ? pick(rnd, new String[] {"好的。", "是。", "不是。", "可以。"})
                : pick(rnd, new String[] {"Yes.", "No.", "OK.", "Sure."});
        m.shortResponses++;
      } else {
        int n = 4 + rnd.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < n; s++) {
          String tpl = pick(rnd, zh ? Vocabulary.ZH_SENTENCES : Vocabulary.EN_SENTENCES);
          String sent = fill(tpl, topic, rnd);
          if (sb.length() > 0 && !zh) {
            sb.append(' ');
          }
          sb.append(sent);
        }
        response = sb.toString();
        longResponse = n >= 5;
      }
    }
    if (rnd.nextDouble() < piiShare) {
      response = response + (zh ? "" : " ") + pii(rnd, zh, m);
    }
    if (rnd.nextDouble() < 0.03) {
      response = noise(rnd, response);
      m.noisy++;
    }
    if (rnd.nextDouble() < 0.005) {
      response =
          zh
              ? "我是{{name}}，由{{author}}开发的助手。" + response
              : "I am {{name}}, built by {{author}}. " + response;
      m.templateSlots++;
    }
    String system = null;
    List<String[]> turns = new ArrayList<>();
    String tools = null;
    boolean sharegpt = kind == 2 || kind == 3;
    if (sharegpt && rnd.nextDouble() < 0.3) {
      system =
          String.format(
              Locale.ROOT, pick(rnd, zh ? Vocabulary.ZH_SYSTEMS : Vocabulary.EN_SYSTEMS), category);
    }
    if (sharegpt && rnd.nextDouble() < 0.2) {
      // A multi-turn conversation: a first exchange, then the main one.
      String q0 =
          zh ? "你好，我想咨询一个关于" + topic + "的问题。" : "Hi, I have a question about " + topic + ".";
      String a0 = zh ? "当然可以，请告诉我具体情况。" : "Of course. Please tell me more about your situation.";
      turns.add(new String[] {"user", q0});
      turns.add(new String[] {"assistant", a0});
    }
    if (kind == 2 && rnd.nextDouble() < 0.15) {
      String fn = "lookup_" + category;
      tools =
          "[{\"name\": \""
              + fn
              + "\", \"description\": \"Look up reference data\", \"parameters\": {\"type\": \"object\","
              + " \"properties\": {\"query\": {\"type\": \"string\"}}}}]";
      turns.add(new String[] {"user", instruction});
      turns.add(
          new String[] {
            "function_call",
            "{\"name\": \""
                + fn
                + "\", \"arguments\": {\"query\": \""
                + (zh ? "资料" : "reference")
                + "\"}}"
          });
      turns.add(
          new String[] {"observation", "{\"result\": \"" + (1000 + rnd.nextInt(9000)) + "\"}"});
      turns.add(new String[] {"assistant", response});
    } else {
      turns.add(new String[] {"user", instruction});
      turns.add(new String[] {"assistant", response});
    }
    return new Example(system, turns, tools, category, label, zh, longResponse);
  }

  private static String fill(String tpl, String topic, Random rnd) {
    int pct = tpl.indexOf('%');
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (pct >= 0) {
      out.append(tpl, i, pct);
      char c = tpl.charAt(pct + 1);
      out.append(c == 's' ? topic : Integer.toString(2 + rnd.nextInt(97)));
      i = pct + 2;
      pct = tpl.indexOf('%', i);
    }
    out.append(tpl.substring(i));
    return out.toString();
  }

  private static String pii(Random rnd, boolean zh, Manifest m) {
    int t = rnd.nextInt(5);
    String name = pick(rnd, Vocabulary.NAMES);
    switch (t) {
      case 0 -> {
        m.inc(m.pii, "email");
        String email = name + "." + (10 + rnd.nextInt(90)) + "@" + pick(rnd, Vocabulary.DOMAINS);
        return zh ? "如有问题请发邮件至" + email + "。" : "Contact me at " + email + " for details.";
      }
      case 1 -> {
        m.inc(m.pii, "phone");
        String phone =
            "1"
                + (3 + rnd.nextInt(7))
                + String.format(Locale.ROOT, "%09d", rnd.nextInt(1_000_000_000));
        return zh ? "我的手机号是" + phone + "。" : "Call me on +86 " + phone + " any time.";
      }
      case 2 -> {
        m.inc(m.pii, "id_card");
        return zh ? "我的身份证号码是" + idCard(rnd) + "。" : "My resident ID is " + idCard(rnd) + ".";
      }
      case 3 -> {
        m.inc(m.pii, "bank_card");
        return zh ? "请转账到银行卡" + luhnCard(rnd) + "。" : "Please pay to card " + luhnCard(rnd) + ".";
      }
      default -> {
        m.inc(m.pii, "ip");
        String ip =
            (11 + rnd.nextInt(180))
                + "."
                + rnd.nextInt(256)
                + "."
                + rnd.nextInt(256)
                + "."
                + (1 + rnd.nextInt(254));
        return zh ? "服务器地址是" + ip + "。" : "The server address is " + ip + ".";
      }
    }
  }

  /** A mainland China resident ID number with a valid check digit (GB 11643). */
  static String idCard(Random rnd) {
    String body =
        String.format(
            Locale.ROOT,
            "%06d%04d%02d%02d%03d",
            110101 + rnd.nextInt(5) * 100,
            1950 + rnd.nextInt(55),
            1 + rnd.nextInt(12),
            1 + rnd.nextInt(28),
            rnd.nextInt(1000));
    int[] w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (body.charAt(i) - '0') * w[i];
    }
    return body + "10X98765432".charAt(sum % 11);
  }

  /** A 16-digit card number starting 62 (UnionPay) with a valid Luhn digit. */
  static String luhnCard(Random rnd) {
    StringBuilder sb = new StringBuilder("62");
    while (sb.length() < 15) {
      sb.append(rnd.nextInt(10));
    }
    int sum = 0;
    for (int i = 0; i < 15; i++) {
      int d = sb.charAt(14 - i) - '0';
      if (i % 2 == 0) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return sb.append((10 - sum % 10) % 10).toString();
  }

  private static String noise(Random rnd, String s) {
    return switch (rnd.nextInt(4)) {
      case 0 -> "<p>" + s.replace(". ", ".<br/> ") + "</p>";
      case 1 -> s + "!!!!!!";
      case 2 -> s.replace(" ", " \u200b") + " &amp; more";
      default -> "\uff08\uff21\uff22\uff23\uff09" + s;
    };
  }

  private static void write(Writers w, int kind, Example e) throws IOException {
    switch (kind) {
      case 0, 1 -> w.line(kind, alpaca(e).toString());
      case 2 -> w.line(kind, sharegpt(e, true).toString());
      case 3 -> w.line(kind, sharegpt(e, false).toString());
      case 4 -> {
        ObjectNode o = JSON.createObjectNode();
        if (e.system != null) {
          o.put("system", e.system);
        }
        o.put("prompt", lastUser(e));
        o.put("response", e.turns.get(e.turns.size() - 1)[1]);
        putMeta(o, e);
        w.line(kind, o.toString());
      }
        // A document is the question and its answer on one line (an answer alone, e.g. "Yes.",
        // would repeat across documents).
      case 5 ->
          w.line(kind, (lastUser(e) + " " + e.turns.get(e.turns.size() - 1)[1]).replace('\n', ' '));
      default -> w.parquet(lastUser(e), e.turns.get(e.turns.size() - 1)[1], e.category);
    }
  }

  private static String lastUser(Example e) {
    return e.turns.get(e.turns.size() - 2)[1];
  }

  private static ObjectNode alpaca(Example e) {
    ObjectNode o = JSON.createObjectNode();
    o.put("instruction", lastUser(e));
    o.put("input", "");
    o.put("output", e.turns.get(e.turns.size() - 1)[1]);
    if (e.system != null) {
      o.put("system", e.system);
    }
    putMeta(o, e);
    return o;
  }

  private static ObjectNode sharegpt(Example e, boolean fromValue) {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode conv = o.putArray(fromValue ? "conversations" : "messages");
    for (String[] t : e.turns) {
      ObjectNode turn = conv.addObject();
      String role = t[0];
      if (fromValue) {
        turn.put("from", role.equals("user") ? "human" : role.equals("assistant") ? "gpt" : role);
        turn.put("value", t[1]);
      } else {
        turn.put("role", role.equals("observation") ? "tool" : role);
        turn.put("content", t[1]);
      }
    }
    if (e.system != null) {
      o.put("system", e.system);
    }
    if (e.tools != null) {
      o.put("tools", e.tools);
    }
    putMeta(o, e);
    return o;
  }

  private static void putMeta(ObjectNode o, Example e) {
    if (e.category != null) {
      o.put("category", e.category);
    }
    if (e.label != null) {
      o.put("label", e.label);
    }
  }

  /** Malformed units: one ingest reason each, only kinds the file format can carry. */
  private static void writeMalformed(Random rnd, Writers w, int kind, Manifest m)
      throws IOException {
    String reason;
    switch (kind) {
      case 5 -> {
        // Plain text can only be broken by encoding.
        w.raw(
            kind,
            new byte[] {'b', 'a', 'd', ' ', (byte) 0xC3, (byte) 0x28, ' ', 't', 'e', 'x', 't'});
        reason = "invalid_utf8";
      }
      case 6 -> {
        boolean missing = rnd.nextBoolean();
        w.parquet("Describe a broken record.", missing ? null : "", "general");
        reason = missing ? "missing_field" : "empty_field";
      }
      default -> {
        int t = rnd.nextInt(kind == 2 || kind == 3 ? 6 : 4);
        boolean jsonl = kind == 1 || kind == 3 || kind == 4;
        if (t == 0 && jsonl && rnd.nextBoolean()) {
          byte[] ok = "{\"prompt\": \"caf".getBytes(StandardCharsets.UTF_8);
          byte[] tail = "\", \"response\": \"x\"}".getBytes(StandardCharsets.UTF_8);
          byte[] b = new byte[ok.length + 1 + tail.length];
          System.arraycopy(ok, 0, b, 0, ok.length);
          b[ok.length] = (byte) 0xE9; // Latin-1 é: invalid UTF-8
          System.arraycopy(tail, 0, b, ok.length + 1, tail.length);
          w.raw(kind, b);
          reason = "invalid_utf8";
        } else {
          String[] unit;
          if (kind == 2 || kind == 3) {
            String c = kind == 2 ? "conversations" : "messages";
            String rk = kind == 2 ? "from" : "role";
            String vk = kind == 2 ? "value" : "content";
            String u = kind == 2 ? "human" : "user";
            String a = kind == 2 ? "gpt" : "assistant";
            unit =
                switch (t) {
                    // Inside a JSON array file the broken unit keeps its braces balanced (a missing
                    // comma), as a truncated one would swallow the elements after it; JSONL lines
                    // are independent, so there it is cut off mid-way.
                  case 0 ->
                      new String[] {
                        "malformed_json",
                        kind == 2
                            ? "{\""
                                + c
                                + "\": [{\""
                                + rk
                                + "\": \""
                                + u
                                + "\", \""
                                + vk
                                + "\": \"hi\"} {\""
                                + rk
                                + "\": \""
                                + a
                                + "\"}]}"
                            : "{\""
                                + c
                                + "\": [{\""
                                + rk
                                + "\": \""
                                + u
                                + "\", \""
                                + vk
                                + "\": \"hi\"},"
                      };
                  case 1 -> new String[] {"wrong_type", "{\"" + c + "\": \"not a list\"}"};
                  case 2 -> new String[] {"missing_field", "{\"system\": \"no turns here\"}"};
                  case 3 -> new String[] {"empty_field", "{\"" + c + "\": []}"};
                  case 4 ->
                      new String[] {
                        "unknown_role",
                        "{\""
                            + c
                            + "\": [{\""
                            + rk
                            + "\": \"robot\", \""
                            + vk
                            + "\": \"beep\"}, {\""
                            + rk
                            + "\": \""
                            + a
                            + "\", \""
                            + vk
                            + "\": \"ok\"}]}"
                      };
                  default ->
                      new String[] {
                        "non_alternating_turns",
                        "{\""
                            + c
                            + "\": [{\""
                            + rk
                            + "\": \""
                            + u
                            + "\", \""
                            + vk
                            + "\": \"one\"}, {\""
                            + rk
                            + "\": \""
                            + u
                            + "\", \""
                            + vk
                            + "\": \"two\"}]}"
                      };
                };
            if (t == 2) {
              // missing 'conversations' with only system: detected as unknown format by field names
              unit = new String[] {"missing_field", "{\"" + c + "\": null, \"system\": \"x\"}"};
            }
          } else if (kind == 4) {
            unit =
                switch (t) {
                  case 0 ->
                      new String[] {
                        "malformed_json", "{\"prompt\": \"unterminated, \"response\": 1"
                      };
                  case 1 ->
                      new String[] {"wrong_type", "{\"prompt\": 42, \"response\": \"forty-two\"}"};
                  case 2 ->
                      new String[] {"missing_field", "{\"prompt\": \"where is the response?\"}"};
                  default ->
                      new String[] {
                        "empty_field", "{\"prompt\": \"empty answer\", \"response\": \"  \"}"
                      };
                };
          } else {
            unit =
                switch (t) {
                  case 0 ->
                      new String[] {
                        "malformed_json", "{\"instruction\": \"broken\", \"output\": }"
                      };
                  case 1 ->
                      new String[] {
                        "wrong_type", "{\"instruction\": 123, \"input\": \"\", \"output\": \"x\"}"
                      };
                  case 2 ->
                      new String[] {
                        "missing_field", "{\"instruction\": \"no output field\", \"input\": \"\"}"
                      };
                  default ->
                      new String[] {
                        "empty_field",
                        "{\"instruction\": \"empty output\", \"input\": \"\", \"output\": \"\"}"
                      };
                };
          }
          reason = unit[0];
          w.line(kind, unit[1]);
        }
      }
    }
    m.units++;
    m.inc(m.malformed, reason);
  }

  /** Part-file writers per kind, rotated every {@code recordsPerFile} units. */
  private static final class Writers {
    private final Path dir;
    private final int perFile;
    private final OutputStream[] out = new OutputStream[KINDS.length];
    private final int[] count = new int[KINDS.length];
    private final int[] part = new int[KINDS.length];
    private ParquetWriter<Group> parquet;
    private final SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
    long blankLines;

    Writers(Path dir, int perFile) {
      this.dir = dir;
      this.perFile = perFile;
    }

    private OutputStream open(int kind) throws IOException {
      if (out[kind] != null && count[kind] >= perFile) {
        finish(kind);
      }
      if (out[kind] == null) {
        String name = String.format(Locale.ROOT, "part-%05d", part[kind]++);
        String sub =
            KINDS[kind].substring(
                0,
                KINDS[kind].indexOf('-') > 0 && !KINDS[kind].startsWith("prompt")
                    ? KINDS[kind].indexOf('-')
                    : KINDS[kind].lastIndexOf('-'));
        Path d = Files.createDirectories(dir.resolve(sub));
        OutputStream os =
            switch (kind) {
              case 0, 2 ->
                  new BufferedOutputStream(
                      Files.newOutputStream(d.resolve(name + ".json")), 1 << 16);
              case 1 ->
                  new BufferedOutputStream(
                      new GZIPOutputStream(
                          Files.newOutputStream(d.resolve(name + ".jsonl.gz")), 1 << 16),
                      1 << 16);
              case 3 ->
                  new BufferedOutputStream(
                      new ZstdOutputStream(
                          Files.newOutputStream(d.resolve(name + ".jsonl.zst")), 3),
                      1 << 16);
              case 4 ->
                  new BufferedOutputStream(
                      Files.newOutputStream(d.resolve(name + ".jsonl")), 1 << 16);
              default ->
                  new BufferedOutputStream(
                      Files.newOutputStream(d.resolve(name + ".txt")), 1 << 16);
            };
        if (kind == 0 || kind == 2) {
          os.write("[\n".getBytes(StandardCharsets.UTF_8));
        }
        if (kind == 4 && part[kind] == 1) {
          os.write(
              new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // a BOM, as some tools write
        }
        out[kind] = os;
        count[kind] = 0;
      }
      return out[kind];
    }

    void line(int kind, String s) throws IOException {
      raw(kind, s.getBytes(StandardCharsets.UTF_8));
    }

    void raw(int kind, byte[] b) throws IOException {
      OutputStream os = open(kind);
      if ((kind == 0 || kind == 2) && count[kind] > 0) {
        os.write(",\n".getBytes(StandardCharsets.UTF_8));
      }
      os.write(b);
      if (kind != 0 && kind != 2) {
        // The first prompt-response part uses CRLF line ends, as Windows tools write.
        os.write(kind == 4 && part[kind] == 1 ? new byte[] {'\r', '\n'} : new byte[] {'\n'});
      }
      count[kind]++;
      if (kind == 5 && count[kind] % 500 == 0) {
        os.write('\n');
        blankLines++;
      }
    }

    void parquet(String instruction, String output, String category) throws IOException {
      if (parquet != null && count[6] >= perFile) {
        parquet.close();
        parquet = null;
      }
      if (parquet == null) {
        Path d = Files.createDirectories(dir.resolve("parquet"));
        String name = String.format(Locale.ROOT, "part-%05d.parquet", part[6]++);
        parquet =
            ExampleParquetWriter.builder(
                    new org.apache.hadoop.fs.Path(d.resolve(name).toAbsolutePath().toUri()))
                .withType(PARQUET_SCHEMA)
                .withConf(new Configuration())
                .build();
        count[6] = 0;
      }
      Group g = groups.newGroup().append("instruction", instruction).append("input", "");
      if (output != null) {
        g.append("output", output);
      }
      if (category != null) {
        g.append("category", category);
      }
      parquet.write(g);
      count[6]++;
    }

    private void finish(int kind) throws IOException {
      if (out[kind] == null) {
        return;
      }
      if (kind == 0 || kind == 2) {
        out[kind].write("\n]\n".getBytes(StandardCharsets.UTF_8));
      }
      out[kind].close();
      out[kind] = null;
    }

    void close() throws IOException {
      for (int k = 0; k < KINDS.length; k++) {
        finish(k);
      }
      if (parquet != null) {
        parquet.close();
      }
    }
  }

  /** Builder; {@code setOutputDir} is required. */
  public static final class Builder {
    private Path outputDir;
    private long records = 20_000;
    private long seed = 42;
    private double exactShare = 0.05;
    private double nearShare = 0.05;
    private double piiShare = 0.05;
    private double malformedShare = 0.01;
    private double shortShare = 0.03;
    private double chineseShare = 0.4;
    private int recordsPerFile = 50_000;

    public Builder setOutputDir(Path dir) {
      this.outputDir = dir;
      return this;
    }

    /** Units to write; default 20,000. */
    public Builder optRecords(long n) {
      this.records = n;
      return this;
    }

    /** Default 42. */
    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    /** Default 0.05. */
    public Builder optExactDuplicateShare(double v) {
      this.exactShare = v;
      return this;
    }

    /** Default 0.05. */
    public Builder optNearDuplicateShare(double v) {
      this.nearShare = v;
      return this;
    }

    /** Default 0.05. */
    public Builder optPiiShare(double v) {
      this.piiShare = v;
      return this;
    }

    /** Default 0.01. */
    public Builder optMalformedShare(double v) {
      this.malformedShare = v;
      return this;
    }

    /** Default 0.03. */
    public Builder optShortShare(double v) {
      this.shortShare = v;
      return this;
    }

    /** Default 0.4. */
    public Builder optChineseShare(double v) {
      this.chineseShare = v;
      return this;
    }

    /** Units per part file; default 50,000. */
    public Builder optRecordsPerFile(int n) {
      this.recordsPerFile = n;
      return this;
    }

    public CorpusGenerator build() {
      if (outputDir == null) {
        throw new IllegalArgumentException("outputDir is required (setOutputDir)");
      }
      if (records < 1) {
        throw new IllegalArgumentException("records must be >= 1, got " + records);
      }
      if (recordsPerFile < 1) {
        throw new IllegalArgumentException("recordsPerFile must be >= 1, got " + recordsPerFile);
      }
      double sum = exactShare + nearShare + malformedShare;
      if (sum > 0.9) {
        throw new PipelineException(
            "Invalid generator shares",
            "exact + near + malformed shares add up to " + sum,
            "keep generate.exact-duplicate-share + near-duplicate-share + malformed-share <= 0.9");
      }
      return new CorpusGenerator(this);
    }
  }
}
