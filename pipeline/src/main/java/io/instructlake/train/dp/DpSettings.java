package io.instructlake.train.dp;

import io.instructlake.config.ConfigError;
import io.instructlake.config.ConfigReader;
import io.instructlake.dist.WireFormat;
import java.io.Serializable;
import java.time.Duration;

/**
 * The data-parallel keys of the {@code train} section ({@code train.workers}, {@code
 * train.allreduce.*}), typed and validated; defaults and documentation in {@code
 * instructlake/train.conf}.
 */
public record DpSettings(int workers, int bucketBytes, Duration timeout, WireFormat wire)
    implements Serializable {

  /** Reads {@code workers} and {@code allreduce.*} from the train section. */
  public static DpSettings from(ConfigReader train) {
    ConfigReader a = train.section("allreduce");
    Duration timeout;
    try {
      timeout = a.raw().getDuration("timeout");
    } catch (RuntimeException e) {
      throw ConfigError.badValue(a.key("timeout"), a.raw().getValue("timeout"), "a duration");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw ConfigError.badValue(a.key("timeout"), timeout, "a positive duration");
    }
    String wire = a.oneOf("wire", "fp32", "bf16");
    return new DpSettings(
        train.intValue("workers", 1, 4096),
        (int) a.bytes("bucket-bytes", 1024),
        timeout,
        wire.equals("bf16") ? WireFormat.BF16 : WireFormat.FP32);
  }
}
