package io.oneloop.text;

/**
 * What a name or a chat text shown to other people may contain. A name (a chat sender, a token's
 * name, a JWT's {@code sub}) must look like what it is: no control, format (Cf: bidi marks,
 * zero-width characters, U+FEFF, tag characters), line or paragraph separator, private-use,
 * lone surrogate or unassigned character, and something visible once the blank-looking characters
 * (spaces, U+3164 and the other Hangul fillers, U+2800) are set aside. A text follows the same
 * rules, with two exceptions real text needs: U+200C and U+200D between two visible characters
 * (emoji sequences, Persian and Indic writing), and code points not yet assigned in this JVM's
 * Unicode tables inside the emoji blocks, where each Unicode version adds new ones.
 * Nothing is ever stripped: {@code admin\u200b} is refused, not turned into {@code admin}.
 * Leaf package: auth and chat both use it, without importing each other.
 */
public final class DisplayText {

  /** Combining marks in a row beyond this are refused: no script needs more, stacked marks only smear over the lines around. */
  static final int MAX_COMBINING_RUN = 8;

  private DisplayText() {
  }

  /**
   * {@code s} without the plain spaces and tabs at its ends: only those, so a separator or an
   * invisible character at an end is refused by the checks, never quietly dropped.
   */
  public static String trimSpaces(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  /** Null when {@code name} is fit to show as a name; otherwise why not, starting with {@code key}. */
  public static String nameProblem(String name, String key) {
    return problem(name, key, false);
  }

  /** Null when {@code text} is fit to show as a message's text; otherwise why not, starting with {@code key}. */
  public static String textProblem(String text, String key) {
    return problem(text, key, true);
  }

  private static String problem(String s, String key, boolean text) {
    boolean visible = false;
    int combining = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (refused(s, i, cp, next, text)) {
        return key + " must not contain control, format, separator, private-use, unpaired surrogate or unassigned characters"
          + " (found U+" + String.format("%04X", cp) + " at position " + (s.codePointCount(0, i) + 1) + ")";
      }
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
        if (++combining > MAX_COMBINING_RUN) {
          return key + " must not stack more than " + MAX_COMBINING_RUN + " combining marks (at position " + (s.codePointCount(0, i) + 1) + ")";
        }
      } else {
        combining = 0;
      }
      visible |= !blank(cp);
      i = next;
    }
    return visible ? null : key + " must contain something visible, not only blank characters";
  }

  private static boolean refused(String s, int at, int cp, int next, boolean text) {
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
        return true;
      case Character.FORMAT:
        return !(text && (cp == 0x200C || cp == 0x200D) && joins(s, at, next));
      case Character.UNASSIGNED:
        return !(text && cp >= 0x1F000 && cp <= 0x1FAFF);
      default:
        return false;
    }
  }

  /** A joiner with a visible, non-format character on each side. */
  private static boolean joins(String s, int at, int next) {
    if (at == 0 || next >= s.length()) {
      return false;
    }
    int before = s.codePointBefore(at);
    int after = s.codePointAt(next);
    return !blank(before) && !blank(after) && Character.getType(before) != Character.FORMAT
      && Character.getType(after) != Character.FORMAT;
  }

  /** Shown as nothing: white space, every space separator, the Hangul fillers and the blank braille pattern. */
  private static boolean blank(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp)
      || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800
      || Character.getType(cp) == Character.FORMAT;
  }
}
