package io.instructlake.clean;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and replaces personal data and secrets in Chinese and English text with typed placeholders
 * ({@code <EMAIL>}, {@code <PHONE>}, ...). Pure Java and thread-safe (patterns are immutable).
 *
 * <p>Candidates come from regular expressions; numbers are then validated so that look-alikes stay:
 * resident ID numbers need a valid region digit, birth date and ISO 7064 MOD 11-2 check digit; bank
 * cards need the Luhn check, a card-network prefix and 15-19 digits and are skipped right after
 * order/tracking words; IPv4 octets must be at most 255; IPv6 candidates are parsed group by group.
 * No maintained Java library covers Chinese ID numbers, mainland phone formats and secrets together
 * (Presidio is Python), so the rules are written here.
 *
 * <p>Boundaries are explicit look-arounds on ASCII digits and letters, not {@code \b}, because Java
 * counts Chinese characters as word characters and {@code 电话13812345678} must still match.
 */
public final class PiiRedactor implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The kinds of data found, with their placeholder. */
  public enum Type {
    SECRET("<SECRET>"),
    URL_CREDENTIALS("<URL_CREDENTIALS>"),
    EMAIL("<EMAIL>"),
    IP("<IP>"),
    ID_CARD("<ID_CARD>"),
    BANK_CARD("<BANK_CARD>"),
    PHONE("<PHONE>");

    private final String placeholder;

    Type(String placeholder) {
      this.placeholder = placeholder;
    }

    /** The text that replaces a hit, e.g. {@code <EMAIL>}. */
    public String placeholder() {
      return placeholder;
    }

    /** Lower-case key used in {@code pii_counts} and counters, e.g. {@code bank_card}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One hit: where it is (UTF-16 offsets, end exclusive), what it is, and the matched text. */
  public record Span(int start, int end, Type type, String value) {}

  private static final String NOT_ALNUM_BEFORE = "(?<![0-9A-Za-z])";
  private static final String NOT_ALNUM_AFTER = "(?![0-9A-Za-z])";

  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\\s\\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE"
              + " KEY-----");
  private static final Pattern CLOUD_KEY =
      Pattern.compile(
          NOT_ALNUM_BEFORE
              + "(?:(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}" // AWS access key id
              + "|LTAI[A-Za-z0-9]{12,20}" // Alibaba Cloud AccessKey id
              + "|AKID[A-Za-z0-9]{32}" // Tencent Cloud SecretId
              + "|AIza[0-9A-Za-z_\\-]{35}" // Google API key
              + "|gh[pousr]_[A-Za-z0-9]{36}" // GitHub token
              + "|xox[abprs]-[A-Za-z0-9-]{10,}" // Slack token
              + "|sk-[A-Za-z0-9_\\-]{20,}" // OpenAI-style secret key
              + "|eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,})" // JWT
              + NOT_ALNUM_AFTER);

  /** Value after a secret-looking assignment; group 1 is the secret. */
  private static final Pattern ASSIGNED_SECRET =
      Pattern.compile(
          "(?i)(?:aws_secret_access_key|secret_access_key|access_key_secret|secret_key|api_key"
              + "|apikey|access_token|auth_token|client_secret|password|passwd|密码|口令|密钥)"
              + "[\"']?\\s*[:=：]\\s*[\"']?([A-Za-z0-9/+_\\-.=!@#$%^&*]{8,})");

  /** Bearer token; group 1 is the token (the word Bearer stays). */
  private static final Pattern BEARER =
      Pattern.compile("(?i)\\bbearer\\s+([A-Za-z0-9._~+/\\-]{16,}=*)");

  private static final Pattern URL_CREDENTIALS =
      Pattern.compile(
          "(?i)[a-z][a-z0-9+.\\-]*://[^\\s:/@<>\"']+:[^\\s@/<>\"']+@[^\\s/<>\"'，。）)]+"
              + "(?:/[^\\s<>\"'，。）)]*)?");
  private static final Pattern EMAIL =
      Pattern.compile(
          "(?<![A-Za-z0-9._%+\\-])[A-Za-z0-9][A-Za-z0-9._%+\\-]*@(?:[A-Za-z0-9]"
              + "(?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}"
              + NOT_ALNUM_AFTER);
  private static final Pattern IPV4 =
      Pattern.compile("(?<![0-9A-Za-z.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![0-9A-Za-z]|\\.\\d)");
  private static final Pattern IPV6 =
      Pattern.compile(
          "(?<![0-9A-Za-z:])[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?:\\d{1,3}(?:\\.\\d{1,3}){3})?"
              + "(?![0-9A-Za-z:]|\\.\\d)");

  /** 18-character resident ID (17 digits + digit or X). */
  private static final Pattern ID_CARD =
      Pattern.compile("(?<![0-9A-Za-z])\\d{17}[0-9Xx](?![0-9A-Za-z])");

  /** 15-19 digits, optionally in groups separated by one space or hyphen. */
  private static final Pattern CARD =
      Pattern.compile("(?<![0-9A-Za-z\\-])\\d(?:[ \\-]?\\d){14,18}(?![0-9A-Za-z]|-\\d)");

  /** Mainland mobile, optional +86 / 86 prefix, optional 3-4-4 separators. */
  private static final Pattern CN_MOBILE =
      Pattern.compile(
          "(?<![0-9A-Za-z+])(?:(?:\\+|00)?86[ \\-]?)?1[3-9]\\d(?:[ \\-]?\\d{4}){2}(?![0-9A-Za-z])");

  /** Mainland landline with area code: 010-12345678, (0755)1234567, 021 1234 5678, ext. */
  private static final Pattern CN_LANDLINE =
      Pattern.compile(
          "(?<![0-9A-Za-z])(?:\\(0\\d{2,3}\\)\\s?|（0\\d{2,3}）|0\\d{2,3}[ \\-])[2-9]\\d{2,3}[ \\-]?\\d{4}"
              + "(?:(?:转|-|ext\\.?\\s?)\\d{1,5})?(?![0-9A-Za-z])");

  /** International E.164 with a plus sign; digits counted after matching (8-15). */
  private static final Pattern INTERNATIONAL =
      Pattern.compile(
          "(?<![0-9A-Za-z+])\\+[1-9]\\d{0,3}(?:[ \\-.]?\\(?\\d{1,5}\\)?){2,5}(?![0-9A-Za-z])");

  /** North American format with separators: (415) 555-0132, 415-555-0132. */
  private static final Pattern NANP =
      Pattern.compile(
          "(?<![0-9A-Za-z\\-])(?:\\([2-9]\\d{2}\\) ?|[2-9]\\d{2}[\\-. ])[2-9]\\d{2}[\\-. ]\\d{4}"
              + "(?![0-9A-Za-z]|-\\d)");

  /** Words right before a number that mark it as an order, tracking or other reference number. */
  private static final Pattern REFERENCE_CONTEXT =
      Pattern.compile(
          "(?i)(?:订单|单号|运单|快递|流水|编号|工单|发票|批次|序列号|交易号|order|tracking|invoice|ref"
              + "|serial|sku|no\\.|#)\\s*(?:号|号码|id|number|no\\.?)?\\s*[:：#]?\\s*$");

  /** Words right before a dotted quad that mark it as a version or section number. */
  private static final Pattern VERSION_CONTEXT =
      Pattern.compile(
          "(?i)(?:version|ver\\.?|版本(?:号)?|v|chapter|section|clause|§|第|章节)\\s*[:：]?\\s*$");

  private PiiRedactor() {}

  /** A redactor with every detector on. */
  public static PiiRedactor create() {
    return new PiiRedactor();
  }

  /**
   * Every hit in {@code text}, non-overlapping, in text order. Earlier detectors in {@link Type}
   * order win over later ones where hits overlap (a key block over the digits inside it).
   */
  public List<Span> find(String text) {
    List<Span> spans = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return spans;
    }
    // Cheap pre-checks skip detectors whose anchor character is absent (most text has no PII).
    boolean at = text.indexOf('@') >= 0;
    boolean colon = text.indexOf(':') >= 0;
    if (text.contains("PRIVATE KEY-----")) {
      addAll(spans, PRIVATE_KEY, text, Type.SECRET, 0);
    }
    addAll(spans, CLOUD_KEY, text, Type.SECRET, 0);
    if (containsIgnoreCase(text, "bearer")) {
      addAll(spans, BEARER, text, Type.SECRET, 1);
    }
    if (colon || text.indexOf('=') >= 0 || text.indexOf('：') >= 0) {
      addAll(spans, ASSIGNED_SECRET, text, Type.SECRET, 1);
    }
    if (at && text.contains("://")) {
      addAll(spans, URL_CREDENTIALS, text, Type.URL_CREDENTIALS, 0);
    }
    if (at) {
      addAll(spans, EMAIL, text, Type.EMAIL, 0);
    }
    Matcher m;
    if (text.contains("::") || hasHexColonRun(text)) {
      m = IPV6.matcher(text);
      while (m.find()) {
        if (isIpv6(m.group())) {
          add(spans, new Span(m.start(), m.end(), Type.IP, m.group()));
        }
      }
    }
    if (text.indexOf('.') >= 0 && hasDigitRun(text, 1)) {
      m = IPV4.matcher(text);
      while (m.find()) {
        if (isIpv4(m.group()) && !VERSION_CONTEXT.matcher(before(text, m.start(), 12)).find()) {
          add(spans, new Span(m.start(), m.end(), Type.IP, m.group()));
        }
      }
    }
    if (countDigits(text) < 7) {
      // Every numeric detector below needs at least 7 digits.
      spans.sort((a, b) -> Integer.compare(a.start(), b.start()));
      return spans;
    }
    m = ID_CARD.matcher(text);
    while (m.find()) {
      if (isResidentId(m.group())) {
        add(spans, new Span(m.start(), m.end(), Type.ID_CARD, m.group()));
      }
    }
    m = CARD.matcher(text);
    while (m.find()) {
      String digits = m.group().replaceAll("[ \\-]", "");
      if (isBankCard(digits)
          && !looksLikeResidentId(digits)
          && !REFERENCE_CONTEXT.matcher(before(text, m.start(), 16)).find()) {
        add(spans, new Span(m.start(), m.end(), Type.BANK_CARD, m.group()));
      }
    }
    addAll(spans, CN_MOBILE, text, Type.PHONE, 0);
    addAll(spans, CN_LANDLINE, text, Type.PHONE, 0);
    m = INTERNATIONAL.matcher(text);
    while (m.find()) {
      int digits = countDigits(m.group());
      if (digits >= 8 && digits <= 15) {
        add(spans, new Span(m.start(), m.end(), Type.PHONE, m.group()));
      }
    }
    addAll(spans, NANP, text, Type.PHONE, 0);
    spans.sort((a, b) -> Integer.compare(a.start(), b.start()));
    return spans;
  }

  /** Redacts one text on its own; see {@link #redactRecord} for several fields of one record. */
  public Redaction redact(String text) {
    return redactRecord(java.util.Collections.singletonList(text), 1);
  }

  /**
   * Redacts the fields of one record consistently: a value found in any field is replaced in every
   * field (so a card number after "order" in one turn is still replaced where it was detected in
   * another), always by its type's placeholder. Hits are counted in the first {@code countedFields}
   * fields only (pass derived views such as prompt/response after them so they are not counted
   * twice).
   */
  public Redaction redactRecord(List<String> fields, int countedFields) {
    Map<String, Type> values = new LinkedHashMap<>();
    Map<Type, Integer> counts = new EnumMap<>(Type.class);
    List<List<Span>> perField = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      List<Span> spans = find(fields.get(i));
      perField.add(spans);
      for (Span s : spans) {
        values.putIfAbsent(s.value(), s.type());
        if (i < countedFields) {
          counts.merge(s.type(), 1, Integer::sum);
        }
      }
    }
    List<String> out = new ArrayList<>(fields.size());
    for (int i = 0; i < fields.size(); i++) {
      String f = fields.get(i);
      if (f == null || f.isEmpty()) {
        out.add(f);
        continue;
      }
      String r = replaceSpans(f, perField.get(i));
      // Values found elsewhere in the record but missed here (context rules): replace them too.
      for (Map.Entry<String, Type> e : values.entrySet()) {
        if (e.getKey().length() >= 6 && r.contains(e.getKey())) {
          int before = occurrences(r, e.getKey());
          r = r.replace(e.getKey(), e.getValue().placeholder());
          if (i < countedFields) {
            counts.merge(e.getValue(), before, Integer::sum);
          }
        }
      }
      out.add(r);
    }
    return new Redaction(out, counts);
  }

  /** Redacted fields (same order as given) and hits per type. */
  public static final class Redaction {
    private final List<String> texts;
    private final Map<Type, Integer> counts;

    Redaction(List<String> texts, Map<Type, Integer> counts) {
      this.texts = texts;
      this.counts = counts;
    }

    public List<String> texts() {
      return texts;
    }

    public String text() {
      return texts.get(0);
    }

    /** Hits per type (types with no hit are absent). */
    public Map<Type, Integer> counts() {
      return counts;
    }

    /** Hits per type keyed by {@link Type#key()}, for the {@code pii_counts} column. */
    public Map<String, Integer> countsByKey() {
      Map<String, Integer> m = new LinkedHashMap<>();
      counts.forEach((k, v) -> m.put(k.key(), v));
      return m;
    }

    public int total() {
      int t = 0;
      for (int v : counts.values()) {
        t += v;
      }
      return t;
    }
  }

  private static String replaceSpans(String text, List<Span> spans) {
    if (spans.isEmpty()) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    int pos = 0;
    for (Span s : spans) {
      sb.append(text, pos, s.start()).append(s.type().placeholder());
      pos = s.end();
    }
    sb.append(text, pos, text.length());
    return sb.toString();
  }

  private static int occurrences(String text, String value) {
    int n = 0;
    for (int i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + value.length())) {
      n++;
    }
    return n;
  }

  private static void addAll(List<Span> spans, Pattern p, String text, Type type, int group) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      add(spans, new Span(m.start(group), m.end(group), type, m.group(group)));
    }
  }

  /** Adds a span unless it overlaps one already taken (earlier detectors win). */
  private static void add(List<Span> spans, Span s) {
    for (Span o : spans) {
      if (s.start() < o.end() && o.start() < s.end()) {
        return;
      }
    }
    spans.add(s);
  }

  /** Whether {@code text} has a run of at least {@code n} ASCII digits. */
  private static boolean hasDigitRun(String text, int n) {
    int run = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      run = (c >= '0' && c <= '9') ? run + 1 : 0;
      if (run >= n) {
        return true;
      }
    }
    return false;
  }

  /** Whether a colon sits between two hex digits (a possible IPv6 group boundary). */
  private static boolean hasHexColonRun(String text) {
    for (int i = text.indexOf(':'); i > 0 && i + 1 < text.length(); i = text.indexOf(':', i + 1)) {
      if (Character.digit(text.charAt(i - 1), 16) >= 0
          && Character.digit(text.charAt(i + 1), 16) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsIgnoreCase(String text, String needle) {
    for (int i = 0; i + needle.length() <= text.length(); i++) {
      if (text.regionMatches(true, i, needle, 0, needle.length())) {
        return true;
      }
    }
    return false;
  }

  private static String before(String text, int start, int chars) {
    return text.substring(Math.max(0, start - chars), start);
  }

  private static int countDigits(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        n++;
      }
    }
    return n;
  }

  /** Dotted quad with every octet in 0..255 and no leading zeros (so "01.02.03.04" is not one). */
  static boolean isIpv4(String s) {
    String[] parts = s.split("\\.");
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * RFC 4291 text form: eight 1-4 digit hex groups, or fewer with exactly one {@code ::},
   * optionally ending in a dotted quad. Requires at least one hex letter or {@code ::} plus three
   * groups so that times like {@code 12:30:45} and ratios are not taken.
   */
  static boolean isIpv6(String s) {
    if (s.length() < 3 || !s.contains(":")) {
      return false;
    }
    String head = s;
    int v4Groups = 0;
    int lastColon = s.lastIndexOf(':');
    String tail = s.substring(lastColon + 1);
    if (tail.contains(".")) {
      if (!isIpv4(tail)) {
        return false;
      }
      head = s.substring(0, lastColon + 1) + "0";
      v4Groups = 1;
    }
    int dbl = head.indexOf("::");
    if (dbl >= 0 && head.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    if (head.contains(":::")) {
      return false;
    }
    String[] groups;
    int count = 0;
    if (dbl >= 0) {
      String left = head.substring(0, dbl);
      String right = head.substring(dbl + 2);
      for (String part : new String[] {left, right}) {
        if (part.isEmpty()) {
          continue;
        }
        groups = part.split(":", -1);
        for (String g : groups) {
          if (!isHexGroup(g)) {
            return false;
          }
          count++;
        }
      }
      if (count + v4Groups > 7) {
        return false;
      }
      // "::" alone or "a::b" in code is too weak: need a digit and two groups or a long one.
      return count >= 1 && hasDigit(head) && (count >= 2 || head.length() >= 6 || v4Groups == 1);
    }
    groups = head.split(":", -1);
    for (String g : groups) {
      if (!isHexGroup(g)) {
        return false;
      }
    }
    return groups.length + v4Groups == 8;
  }

  private static boolean isHexGroup(String g) {
    if (g.isEmpty() || g.length() > 4) {
      return false;
    }
    for (int i = 0; i < g.length(); i++) {
      if (Character.digit(g.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasDigit(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        return true;
      }
    }
    return false;
  }

  /**
   * Mainland resident ID (GB 11643-1999): region code starting 1-8, a real birth date from 1900 to
   * 2099, and the ISO 7064 MOD 11-2 check character.
   */
  public static boolean isResidentId(String id) {
    if (!looksLikeResidentId(id)) {
      return false;
    }
    return Character.toUpperCase(id.charAt(17)) == residentIdCheckChar(id.substring(0, 17));
  }

  /** ISO 7064 MOD 11-2 check character of the first 17 digits. */
  public static char residentIdCheckChar(String first17) {
    int[] weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      sum += (first17.charAt(i) - '0') * weights[i];
    }
    return "10X98765432".charAt(sum % 11);
  }

  /** 18 characters with a plausible region and birth date, check character not verified. */
  static boolean looksLikeResidentId(String id) {
    if (id.length() != 18) {
      return false;
    }
    for (int i = 0; i < 17; i++) {
      if (id.charAt(i) < '0' || id.charAt(i) > '9') {
        return false;
      }
    }
    char last = Character.toUpperCase(id.charAt(17));
    if (!(last == 'X' || (last >= '0' && last <= '9'))) {
      return false;
    }
    if (id.charAt(0) < '1' || id.charAt(0) > '8') {
      return false;
    }
    int year = Integer.parseInt(id.substring(6, 10));
    int month = Integer.parseInt(id.substring(10, 12));
    int day = Integer.parseInt(id.substring(12, 14));
    if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) {
      return false;
    }
    return day <= java.time.YearMonth.of(year, month).lengthOfMonth();
  }

  /**
   * Payment card: 15-19 digits (15 only for American Express 34/37), an issuer prefix (2221-2720,
   * 3, 4, 5, 6; 62 is UnionPay) and a valid Luhn check digit.
   */
  public static boolean isBankCard(String digits) {
    int n = digits.length();
    if (n < 15 || n > 19) {
      return false;
    }
    char first = digits.charAt(0);
    if (n == 15 && !(digits.startsWith("34") || digits.startsWith("37"))) {
      return false;
    }
    if (first == '2') {
      int p4 = Integer.parseInt(digits.substring(0, 4));
      if (n != 16 || p4 < 2221 || p4 > 2720) {
        return false;
      }
    } else if (first < '3' || first > '6') {
      return false;
    }
    return luhnValid(digits);
  }

  /** The Luhn (mod 10) check over all digits, the last being the check digit. */
  public static boolean luhnValid(String digits) {
    int sum = 0;
    boolean dbl = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      int d = digits.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return false;
      }
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }
}
