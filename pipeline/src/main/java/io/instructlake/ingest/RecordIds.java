package io.instructlake.ingest;

import io.instructlake.ingest.ParsedRecord.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Stable record ids: the first 128 bits (32 hex chars) of SHA-256 over the canonical content. The
 * canonical form joins system, each turn's role and content, and tools with ASCII separator
 * controls (0x1E between parts, 0x1F between a name and its value), which cannot occur in content
 * after ingest normalization without being escaped, so different records cannot collide by
 * concatenation.
 */
public final class RecordIds {
  private RecordIds() {}

  public static String of(ParsedRecord r) {
    return of(r.system(), r.messages(), r.tools());
  }

  public static String of(String system, List<Message> messages, String tools) {
    StringBuilder sb = new StringBuilder(256);
    sb.append("system\u001f").append(system == null ? "" : escape(system));
    for (Message m : messages) {
      sb.append('\u001e').append(m.role()).append('\u001f').append(escape(m.content()));
    }
    sb.append("\u001etools\u001f").append(tools == null ? "" : escape(tools));
    return sha256Hex(sb.toString()).substring(0, 32);
  }

  private static String escape(String s) {
    if (s.indexOf('\u001e') < 0 && s.indexOf('\u001f') < 0 && s.indexOf('\u001b') < 0) {
      return s;
    }
    return s.replace("\u001b", "\u001b\u001b")
        .replace("\u001e", "\u001b\u001e")
        .replace("\u001f", "\u001b\u001f");
  }

  public static String sha256Hex(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JRE", e);
    }
  }
}
