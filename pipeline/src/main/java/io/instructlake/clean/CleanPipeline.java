package io.instructlake.clean;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Cleans one record: normalizes every text, redacts PII, then runs the filters in {@link #STEPS}
 * order (the one place that order lives) and stops at the first that drops the record. Plain Java;
 * {@link CleanStage} calls it per row on the executors.
 *
 * <p>Holds the lingua detector, so get it through {@link #forOptions}: one instance per executor
 * JVM and distinct options (a static lazy holder), never shipped from the driver.
 */
public final class CleanPipeline {
  /**
   * The sub-steps in order. Normalization and redaction always run first (so quarantined text is
   * already redacted, and the rules see normalized text); the cheap structural checks come before
   * the language detector and the quality rules.
   */
  public static final List<String> STEPS =
      List.of(
          "normalize",
          "redact_pii",
          "empty_turn",
          "template_slot",
          "response_equals_prompt",
          "too_much_pii",
          "regex",
          "length",
          "language",
          "quality",
          "refusal");

  private static final Map<CleanOptions, CleanPipeline> INSTANCES = new ConcurrentHashMap<>();

  private final CleanOptions options;
  private final TextNormalizer normalizer;
  private final PiiRedactor redactor;
  private final RecordChecks checks;
  private final LengthFilter length;
  private final QualityFilter quality;
  private final LanguageIdentifier language;

  /** What came out: the cleaned texts, the language, PII counts, and the drop (null if kept). */
  public record Result(CleanRecord record, String lang, Map<String, Integer> piiCounts, Drop drop) {
    public boolean kept() {
      return drop == null;
    }
  }

  public CleanPipeline(CleanOptions options) {
    this.options = options;
    this.normalizer = options.normalizer();
    this.redactor = PiiRedactor.create();
    this.checks = new RecordChecks(options.structure(), options.regex());
    this.length = new LengthFilter(options.length());
    this.quality = new QualityFilter(options.quality(), options.length().cjkShare());
    this.language =
        options.language().enabled() ? new LanguageIdentifier(options.language()) : null;
  }

  /** The executor-wide instance for {@code options} (built on first use in this JVM). */
  public static CleanPipeline forOptions(CleanOptions options) {
    return INSTANCES.computeIfAbsent(options, CleanPipeline::new);
  }

  public CleanOptions options() {
    return options;
  }

  /** Normalizes, redacts and filters one record. */
  public Result clean(CleanRecord in) {
    CleanRecord r = normalize(in);
    Map<String, Integer> pii = Map.of();
    if (options.pii().enabled()) {
      List<String> fields = new ArrayList<>();
      fields.add(r.system());
      for (CleanRecord.Message m : r.messages()) {
        fields.add(m.content());
      }
      int counted = fields.size();
      fields.add(r.prompt());
      fields.add(r.response());
      PiiRedactor.Redaction red = redactor.redactRecord(fields, counted);
      List<String> t = red.texts();
      List<CleanRecord.Message> msgs = new ArrayList<>();
      for (int i = 0; i < r.messages().size(); i++) {
        msgs.add(new CleanRecord.Message(r.messages().get(i).role(), t.get(i + 1)));
      }
      r = new CleanRecord(t.get(0), msgs, t.get(counted), t.get(counted + 1));
      pii = red.countsByKey();
    }
    final CleanRecord rec = r;
    final Map<String, Integer> counts = pii;
    String[] lang = {null};
    for (Function<CleanRecord, Drop> step : filters(counts, lang)) {
      Drop d = step.apply(rec);
      if (d != null) {
        return new Result(rec, lang[0], counts, d);
      }
    }
    return new Result(
        rec, lang[0] == null ? LanguageIdentifier.UNDETERMINED : lang[0], counts, null);
  }

  /** The filters after normalize and redact_pii, in {@link #STEPS} order. */
  private List<Function<CleanRecord, Drop>> filters(Map<String, Integer> pii, String[] lang) {
    return List.of(
        checks::emptyTurn,
        checks::templateSlot,
        r -> r.hasUserTurn() ? checks.responseEqualsPrompt(r) : null,
        r -> tooMuchPii(pii),
        checks::regex,
        r -> length.check(r.hasUserTurn() ? r.promptText() : null, r.responseText()),
        r -> {
          if (language == null) {
            return null;
          }
          LanguageIdentifier.Result res = language.identify(r.conversationText());
          lang[0] = res.lang();
          return language.check(res);
        },
        r -> quality.check(r.assistantText()),
        checks::refusal);
  }

  private Drop tooMuchPii(Map<String, Integer> pii) {
    int max = options.pii().maxHits();
    if (max < 0) {
      return null;
    }
    int total = 0;
    for (int v : pii.values()) {
      total += v;
    }
    return total > max
        ? new Drop(
            "too_much_pii",
            String.format(Locale.ROOT, "%d PII hits %s > clean.pii.max-hits %d", total, pii, max))
        : null;
  }

  private CleanRecord normalize(CleanRecord r) {
    List<CleanRecord.Message> msgs = new ArrayList<>(r.messages().size());
    for (CleanRecord.Message m : r.messages()) {
      msgs.add(new CleanRecord.Message(m.role(), normalizer.normalize(m.content())));
    }
    return new CleanRecord(
        normalizer.normalize(r.system()),
        msgs,
        normalizer.normalize(r.prompt()),
        normalizer.normalize(r.response()));
  }
}
