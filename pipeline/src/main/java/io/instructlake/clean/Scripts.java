package io.instructlake.clean;

/** Character-class counts used by the length, language and quality rules. */
final class Scripts {
  private Scripts() {}

  /** Han ideographs (the CJK unified blocks, extensions and compatibility ideographs). */
  static boolean isHan(int cp) {
    return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
  }

  /**
   * Share of Han characters among letters and digits (0 when there are none). Digits count so that
   * a Chinese answer full of numbers is still judged by its words.
   */
  static double cjkShare(String s) {
    if (s == null || s.isEmpty()) {
      return 0.0;
    }
    int han = 0;
    int alnum = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isLetterOrDigit(cp)) {
        alnum++;
        if (isHan(cp)) {
          han++;
        }
      }
    }
    return alnum == 0 ? 0.0 : han / (double) alnum;
  }

  /** Number of Han characters. */
  static int hanCount(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (isHan(cp)) {
        n++;
      }
    }
    return n;
  }

  /** Length in code points (what "characters" means in the length bounds). */
  static int chars(String s) {
    return s == null ? 0 : s.codePointCount(0, s.length());
  }
}
