package io.instructlake.augment;

import io.instructlake.augment.Tokens.Kind;
import io.instructlake.augment.Tokens.Token;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The text operations of augmentation, pure and seeded: the same text, method and {@link Random}
 * state give the same result. Each returns {@code null} when it cannot change the text (no editable
 * word with a synonym, too few words to swap...), so callers skip rather than emit a copy. Only
 * {@link Token#editable()} words change; protected spans and entities stay byte-identical and in
 * place. EDA follows Wei and Zou (2019): synonym replacement, random insertion (of a synonym of a
 * word in the text), random swap and random deletion.
 */
public final class TextAugmenter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final AugmentOptions options;

  public TextAugmenter(AugmentOptions options) {
    this.options = options;
  }

  /** Applies {@code method} (see {@link AugmentOptions#METHODS}); null when nothing changed. */
  public String apply(String method, String text, boolean chinese, Random rng) {
    if (text == null || text.isBlank()) {
      return null;
    }
    String out =
        switch (method) {
          case AugmentOptions.SYNONYM -> synonymReplace(text, chinese, options.synonymRate(), rng);
          case AugmentOptions.EDA -> eda(text, chinese, rng);
          case AugmentOptions.TEMPLATE -> template(text, chinese, rng);
          case AugmentOptions.BACK_TRANSLATION ->
              options.translation().configured()
                  ? BackTranslation.roundTrip(options.translation(), text)
                  : null;
          default -> throw new IllegalArgumentException("unknown augmentation method " + method);
        };
    return out == null || out.equals(text) ? null : out;
  }

  /** Replaces {@code max(1, round(rate * editable words))} words that have synonyms. */
  public static String synonymReplace(String text, boolean chinese, double rate, Random rng) {
    List<Token> orig = Tokens.tokenize(text, chinese);
    List<Token> toks = replaceTokens(orig, chinese, rate, rng);
    return toks == null ? null : Tokens.join(toks);
  }

  /**
   * Synonym replacement on tokens: the result is aligned with {@code tokens} (same length, only
   * editable words replaced), or null when no word had a synonym.
   */
  static List<Token> replaceTokens(List<Token> tokens, boolean chinese, double rate, Random rng) {
    List<Token> toks = new ArrayList<>(tokens);
    List<Integer> editable = editable(toks);
    Collections.shuffle(editable, rng);
    int n = Math.max(1, (int) Math.round(rate * editable.size()));
    int done = 0;
    for (int i : editable) {
      if (done >= n) {
        break;
      }
      List<String> syn = Synonyms.of(toks.get(i).text(), chinese);
      if (syn.isEmpty()) {
        continue;
      }
      String s = matchCase(toks.get(i).text(), syn.get(rng.nextInt(syn.size())));
      toks.set(i, new Token(s, Kind.WORD, true));
      done++;
    }
    return done == 0 ? null : toks;
  }

  private String eda(String text, boolean chinese, Random rng) {
    String op = options.edaOps().get(rng.nextInt(options.edaOps().size()));
    return switch (op) {
      case "swap" -> randomSwap(text, chinese, options.edaRate(), rng);
      case "insert" -> randomInsert(text, chinese, options.edaRate(), rng);
      case "delete" -> randomDelete(text, chinese, options.edaRate(), rng);
      default -> throw new IllegalArgumentException("unknown EDA op " + op);
    };
  }

  /** Swaps the texts of two random editable words, {@code max(1, round(rate * n))} times. */
  public static String randomSwap(String text, boolean chinese, double rate, Random rng) {
    List<Token> toks = new ArrayList<>(Tokens.tokenize(text, chinese));
    List<Integer> editable = editable(toks);
    if (editable.size() < 2) {
      return null;
    }
    int n = Math.max(1, (int) Math.round(rate * editable.size()));
    for (int k = 0; k < n; k++) {
      int a = editable.get(rng.nextInt(editable.size()));
      int b = editable.get(rng.nextInt(editable.size()));
      Token ta = toks.get(a);
      toks.set(a, toks.get(b));
      toks.set(b, ta);
    }
    return Tokens.join(toks);
  }

  /** Inserts a synonym of a random editable word before a random editable word. */
  public static String randomInsert(String text, boolean chinese, double rate, Random rng) {
    List<Token> toks = new ArrayList<>(Tokens.tokenize(text, chinese));
    int n = Math.max(1, (int) Math.round(rate * editable(toks).size()));
    int done = 0;
    for (int k = 0; k < n; k++) {
      List<Integer> editable = editable(toks);
      if (editable.isEmpty()) {
        break;
      }
      List<Integer> order = new ArrayList<>(editable);
      Collections.shuffle(order, rng);
      String syn = null;
      for (int i : order) {
        List<String> s = Synonyms.of(toks.get(i).text(), chinese);
        if (!s.isEmpty()) {
          syn = s.get(rng.nextInt(s.size()));
          break;
        }
      }
      if (syn == null) {
        break;
      }
      int at = editable.get(rng.nextInt(editable.size()));
      toks.add(at, new Token(syn, Kind.WORD, true));
      if (!chinese) {
        toks.add(at + 1, new Token(" ", Kind.SPACE, false));
      }
      done++;
    }
    return done == 0 ? null : Tokens.join(toks);
  }

  /** Deletes each editable word with probability {@code rate} (at least one, never all). */
  public static String randomDelete(String text, boolean chinese, double rate, Random rng) {
    List<Token> toks = new ArrayList<>(Tokens.tokenize(text, chinese));
    List<Integer> editable = editable(toks);
    if (editable.size() < 2) {
      return null;
    }
    List<Integer> delete = new ArrayList<>();
    for (int i : editable) {
      if (rng.nextDouble() < rate) {
        delete.add(i);
      }
    }
    if (delete.isEmpty()) {
      delete.add(editable.get(rng.nextInt(editable.size())));
    }
    if (delete.size() == editable.size()) {
      delete.remove(delete.size() - 1);
    }
    Collections.sort(delete, Collections.reverseOrder());
    for (int i : delete) {
      toks.remove(i);
      // Drop one adjacent space so "a b c" minus "b" reads "a c".
      if (i < toks.size() && toks.get(i).kind() == Kind.SPACE) {
        toks.remove(i);
      } else if (i > 0 && toks.get(i - 1).kind() == Kind.SPACE) {
        toks.remove(i - 1);
      }
    }
    return Tokens.join(toks);
  }

  /** Wraps the instruction in a random paraphrase template of its language. */
  String template(String text, boolean chinese, Random rng) {
    List<String> ts = chinese ? options.templatesZh() : options.templatesEn();
    if (ts.isEmpty()) {
      return null;
    }
    return ts.get(rng.nextInt(ts.size())).replace("{prompt}", text);
  }

  static List<Integer> editable(List<Token> toks) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < toks.size(); i++) {
      if (toks.get(i).editable()) {
        out.add(i);
      }
    }
    return out;
  }

  private static String matchCase(String original, String replacement) {
    if (!original.isEmpty()
        && Character.isUpperCase(original.charAt(0))
        && !replacement.isEmpty()) {
      return Character.toUpperCase(replacement.charAt(0)) + replacement.substring(1);
    }
    return replacement;
  }
}
