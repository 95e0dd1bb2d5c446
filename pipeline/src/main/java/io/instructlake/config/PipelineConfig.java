package io.instructlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The one resolved configuration of a run. Precedence, highest first, is resolved here and nowhere
 * else:
 *
 * <ol>
 *   <li>command line ({@code --set key=value}, and the shortcuts {@code --input}, {@code --lake});
 *   <li>environment variables {@code INSTRUCTLAKE_<KEY>} where {@code _} stands for {@code .} and
 *       {@code __} for {@code -} (e.g. {@code INSTRUCTLAKE_INGEST_MAX__BAD__SHARE=0.2});
 *   <li>the {@code --conf} file (HOCON);
 *   <li>the defaults in {@code reference.conf} (every key, with its documentation).
 * </ol>
 *
 * <p>Unknown keys fail in {@link Builder#build()} with the closest known key; bad values fail when
 * the typed section options are read (each section's {@code from(ConfigReader)}), which the CLI
 * does before any Spark work starts.
 */
public final class PipelineConfig {
  /** Environment variable prefix for overrides. */
  public static final String ENV_PREFIX = "INSTRUCTLAKE_";

  /**
   * {@code INSTRUCTLAKE_*} variables that belong to the launcher ({@code bin/pipeline}), not to the
   * configuration: they are not read as keys.
   */
  public static final java.util.Set<String> LAUNCHER_VARIABLES =
      java.util.Set.of("INSTRUCTLAKE_JAVA_OPTS", "INSTRUCTLAKE_EXECUTOR_MB");

  /** Sub-trees whose keys are free-form (passed through to Spark or Hadoop). */
  static final Set<String> FREE_FORM = Set.of("spark.conf", "hadoop.conf");

  private final Config config;
  private final Config reference;

  private PipelineConfig(Config config, Config reference) {
    this.config = config;
    this.reference = reference;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults alone: what a run with no configuration uses. */
  public static PipelineConfig defaults() {
    return builder().optEnvironment(Map.of()).build();
  }

  /** The whole resolved configuration. */
  public Config raw() {
    return config;
  }

  /** A typed reader over the section {@code name} (e.g. "ingest"). */
  public ConfigReader section(String name) {
    return new ConfigReader(config.getConfig(name), name);
  }

  /** A typed reader over the whole configuration. */
  public ConfigReader reader() {
    return new ConfigReader(config, "");
  }

  /** Copy with one more override, e.g. the demo pointing input.path at its generated corpus. */
  public PipelineConfig with(String key, Object value) {
    return new PipelineConfig(
        config.withValue(key, ConfigValueFactory.fromAnyRef(value)).resolve(), reference);
  }

  /** SHA-256 of the canonical rendering, recorded with every run so runs can be compared. */
  public String digest() {
    String canonical = config.root().render(ConfigRenderOptions.concise().setJson(true));
    // Render is not key-ordered; sort the flattened entries for a stable digest.
    TreeMap<String, String> flat = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
      flat.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
    }
    canonical = flat.toString();
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }

  /**
   * Every known key with its default and the documentation comment from {@code reference.conf}, for
   * {@code --help}. Keys are sorted.
   */
  public static List<String> describeKeys() {
    Config ref = loadReference();
    List<String> lines = new ArrayList<>();
    TreeMap<String, ConfigValue> sorted = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : ref.entrySet()) {
      sorted.put(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, ConfigValue> e : sorted.entrySet()) {
      String doc = String.join(" ", e.getValue().origin().comments()).trim();
      String dflt = e.getValue().render(ConfigRenderOptions.concise());
      lines.add(
          String.format(
              Locale.ROOT, "  %-40s %s%s", e.getKey(), dflt, doc.isEmpty() ? "" : "  # " + doc));
    }
    return lines;
  }

  static Config loadReference() {
    return ConfigFactory.parseResources(
            PipelineConfig.class.getClassLoader(),
            "reference.conf",
            ConfigParseOptions.defaults().setAllowMissing(false))
        .resolve();
  }

  /** Builds a {@link PipelineConfig}; all sources are optional. */
  public static final class Builder {
    private Path confFile;
    private final LinkedHashMap<String, String> sets = new LinkedHashMap<>();
    private Map<String, String> env = System.getenv();

    private Builder() {}

    /** A HOCON file whose keys override the defaults; default none. */
    public Builder optConfFile(Path file) {
      this.confFile = file;
      return this;
    }

    /** One {@code key=value} override from the command line; later ones win. */
    public Builder optSet(String key, String value) {
      sets.put(key, value);
      return this;
    }

    /** Parses {@code key=value}; fails naming the bad argument. */
    public Builder optSet(String assignment) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw ConfigError.syntax(
            "--set '" + assignment + "'",
            "expected key=value, e.g. --set ingest.max-bad-share=0.2");
      }
      return optSet(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
    }

    /** The environment to read {@code INSTRUCTLAKE_*} overrides from; default the process's. */
    public Builder optEnvironment(Map<String, String> environment) {
      this.env = environment;
      return this;
    }

    /** Resolves precedence and rejects unknown keys. */
    public PipelineConfig build() {
      Config reference = loadReference();
      Config file = ConfigFactory.empty();
      if (confFile != null) {
        if (!Files.isRegularFile(confFile)) {
          throw new ConfigErrorNoKey(
              "Cannot read configuration file " + confFile,
              "it does not exist or is not a file",
              "pass an existing HOCON file to --conf, e.g. conf/local.conf");
        }
        try {
          file = ConfigFactory.parseFile(confFile.toFile(), ConfigParseOptions.defaults());
        } catch (ConfigException e) {
          throw ConfigError.syntax("file " + confFile, e.getMessage());
        }
      }
      Config envConfig = fromEnvironment(env);
      Config cli = ConfigFactory.empty();
      for (Map.Entry<String, String> e : sets.entrySet()) {
        cli = cli.withValue(e.getKey(), parseValue(e.getKey(), e.getValue()));
      }
      checkKnown(reference, file);
      checkKnown(reference, envConfig);
      checkKnown(reference, cli);
      Config merged;
      try {
        merged = cli.withFallback(envConfig).withFallback(file).withFallback(reference).resolve();
      } catch (ConfigException e) {
        throw ConfigError.syntax("(substitution)", e.getMessage());
      }
      return new PipelineConfig(merged, reference);
    }

    private static ConfigValue parseValue(String key, String value) {
      String v = value.trim();
      if (v.startsWith("[") || v.startsWith("{")) {
        try {
          return ConfigFactory.parseString("v = " + v).getValue("v");
        } catch (ConfigException e) {
          throw ConfigError.syntax("--set " + key, e.getMessage());
        }
      }
      // Plain values stay strings; typed getters convert "0.2" or "true" as needed. This keeps
      // values such as s3a://bucket/path intact (unquoted HOCON would read "//" as a comment).
      return ConfigValueFactory.fromAnyRef(v, "command line --set " + key);
    }

    static Config fromEnvironment(Map<String, String> env) {
      Config c = ConfigFactory.empty();
      for (Map.Entry<String, String> e : env.entrySet()) {
        if (!e.getKey().startsWith(ENV_PREFIX)
            || e.getKey().length() == ENV_PREFIX.length()
            || LAUNCHER_VARIABLES.contains(e.getKey())) {
          continue;
        }
        String name = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        String key = name.replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
        c =
            c.withValue(
                key, ConfigValueFactory.fromAnyRef(e.getValue(), "environment " + e.getKey()));
      }
      return c;
    }

    private static void checkKnown(Config reference, Config given) {
      Set<String> known = new TreeSet<>();
      for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
        known.add(e.getKey());
      }
      for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
        String key = e.getKey();
        if (known.contains(key) || isFreeForm(key)) {
          continue;
        }
        throw ConfigError.unknownKey(key, closest(key, known));
      }
    }

    private static boolean isFreeForm(String key) {
      for (String prefix : FREE_FORM) {
        if (key.startsWith(prefix + ".")) {
          return true;
        }
      }
      return false;
    }

    static String closest(String key, Set<String> known) {
      String best = null;
      int bestDistance = Integer.MAX_VALUE;
      for (String k : known) {
        int d = editDistance(key, k);
        if (d < bestDistance) {
          bestDistance = d;
          best = k;
        }
      }
      return bestDistance <= Math.max(3, key.length() / 3) ? best : null;
    }

    private static int editDistance(String a, String b) {
      int[] prev = new int[b.length() + 1];
      int[] cur = new int[b.length() + 1];
      for (int j = 0; j <= b.length(); j++) {
        prev[j] = j;
      }
      for (int i = 1; i <= a.length(); i++) {
        cur[0] = i;
        for (int j = 1; j <= b.length(); j++) {
          int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
          cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        }
        int[] t = prev;
        prev = cur;
        cur = t;
      }
      return prev[b.length()];
    }
  }

  /** A configuration failure that is not about one key (a missing file). */
  static final class ConfigErrorNoKey extends io.instructlake.PipelineException {
    private static final long serialVersionUID = 1L;

    ConfigErrorNoKey(String what, String why, String fix) {
      super(what, why, fix);
    }
  }
}
