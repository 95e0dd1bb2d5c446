package io.instructlake.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Locale;

/**
 * Typed, validated access to one section of the configuration. Every getter reports a bad value as
 * a {@link ConfigError} naming the full key (section prefix included), the value and what was
 * expected.
 *
 * <p>Section option classes ({@code IngestOptions.from(reader)}, ...) use this so that validation
 * lives next to the typed value and never in the stages.
 */
public final class ConfigReader {
  private final Config config;
  private final String prefix;

  public ConfigReader(Config config, String prefix) {
    this.config = config;
    this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
  }

  /** A reader for a sub-section, keeping full key names in messages. */
  public ConfigReader section(String name) {
    return new ConfigReader(config.getConfig(name), prefix + name);
  }

  public Config raw() {
    return config;
  }

  public String key(String path) {
    return prefix + path;
  }

  public boolean has(String path) {
    return config.hasPath(path);
  }

  public String string(String path) {
    try {
      return config.getString(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "a string");
    } catch (ConfigException.WrongType e) {
      throw ConfigError.badValue(key(path), render(path), "a string");
    }
  }

  /** A string that must be one of {@code allowed} (case-insensitive); returns it lower-cased. */
  public String oneOf(String path, String... allowed) {
    String v = string(path).toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw ConfigError.badValue(key(path), v, "one of " + String.join(", ", allowed));
  }

  public boolean bool(String path) {
    try {
      return config.getBoolean(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "true or false");
    } catch (ConfigException.WrongType e) {
      throw ConfigError.badValue(key(path), render(path), "true or false");
    }
  }

  public long longValue(String path, long min, long max) {
    long v;
    try {
      v = config.getLong(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "an integer");
    } catch (ConfigException.WrongType e) {
      throw ConfigError.badValue(
          key(path), render(path), "an integer in [" + min + ", " + max + "]");
    }
    if (v < min || v > max) {
      throw ConfigError.badValue(key(path), v, "an integer in [" + min + ", " + max + "]");
    }
    return v;
  }

  public int intValue(String path, int min, int max) {
    return (int) longValue(path, min, max);
  }

  public double doubleValue(String path, double min, double max) {
    double v;
    try {
      v = config.getDouble(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "a number");
    } catch (ConfigException.WrongType e) {
      throw ConfigError.badValue(key(path), render(path), "a number in [" + min + ", " + max + "]");
    }
    if (!(v >= min && v <= max)) {
      throw ConfigError.badValue(key(path), v, "a number in [" + min + ", " + max + "]");
    }
    return v;
  }

  /** A fraction in [0, 1]. */
  public double fraction(String path) {
    return doubleValue(path, 0.0, 1.0);
  }

  public List<String> stringList(String path) {
    try {
      return config.getStringList(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "a list of strings");
    } catch (ConfigException.WrongType e) {
      throw ConfigError.badValue(key(path), render(path), "a list of strings like [a, b]");
    }
  }

  /** Bytes from HOCON size syntax ("1m", "512k", or a plain number). */
  public long bytes(String path, long min) {
    long v;
    try {
      v = config.getBytes(path);
    } catch (ConfigException.Missing e) {
      throw ConfigError.missing(key(path), "a size such as 1m");
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw ConfigError.badValue(key(path), render(path), "a size such as 512k or 1m");
    }
    if (v < min) {
      throw ConfigError.badValue(key(path), v, "a size of at least " + min + " bytes");
    }
    return v;
  }

  private String render(String path) {
    try {
      return String.valueOf(config.getValue(path).unwrapped());
    } catch (ConfigException e) {
      return "?";
    }
  }
}
