package io.promroute.promql.internal.grammar;

import io.promroute.compat.GoQuote;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.misc.Pair;

/**
 * The generated lexer's superclass: the parts of Prometheus's lexer that are context-sensitive or
 * character-exact, written in Java and called from the grammar's actions.
 *
 * <p>A lexical error produces one {@code ERROR} token and then only {@code EOF}, as Prometheus's
 * lexer stops at its first error. {@link #errorMessage()} and {@link #errorOffset()} say what and
 * where (the offset is where Prometheus reports it, which is not always the token's start).
 */
public abstract class PromQLLexerBase extends Lexer {

  private static final Map<String, Integer> KEYWORDS = new HashMap<>();
  private static final Map<String, Integer> DURATION_KEYWORDS = new HashMap<>();
  private static final int LONGEST_KEYWORD = "count_values".length();

  static {
    KEYWORDS.put("and", PromQLLexer.LAND);
    KEYWORDS.put("or", PromQLLexer.LOR);
    KEYWORDS.put("unless", PromQLLexer.LUNLESS);
    KEYWORDS.put("atan2", PromQLLexer.ATAN2);
    KEYWORDS.put("sum", PromQLLexer.SUM);
    KEYWORDS.put("avg", PromQLLexer.AVG);
    KEYWORDS.put("count", PromQLLexer.COUNT);
    KEYWORDS.put("min", PromQLLexer.MIN);
    KEYWORDS.put("max", PromQLLexer.MAX);
    KEYWORDS.put("group", PromQLLexer.GROUP);
    KEYWORDS.put("stddev", PromQLLexer.STDDEV);
    KEYWORDS.put("stdvar", PromQLLexer.STDVAR);
    KEYWORDS.put("topk", PromQLLexer.TOPK);
    KEYWORDS.put("bottomk", PromQLLexer.BOTTOMK);
    KEYWORDS.put("count_values", PromQLLexer.COUNT_VALUES);
    KEYWORDS.put("quantile", PromQLLexer.QUANTILE);
    KEYWORDS.put("limitk", PromQLLexer.LIMITK);
    KEYWORDS.put("limit_ratio", PromQLLexer.LIMIT_RATIO);
    KEYWORDS.put("offset", PromQLLexer.OFFSET);
    KEYWORDS.put("smoothed", PromQLLexer.SMOOTHED);
    KEYWORDS.put("anchored", PromQLLexer.ANCHORED);
    KEYWORDS.put("by", PromQLLexer.BY);
    KEYWORDS.put("without", PromQLLexer.WITHOUT);
    KEYWORDS.put("on", PromQLLexer.ON);
    KEYWORDS.put("ignoring", PromQLLexer.IGNORING);
    KEYWORDS.put("group_left", PromQLLexer.GROUP_LEFT);
    KEYWORDS.put("group_right", PromQLLexer.GROUP_RIGHT);
    KEYWORDS.put("fill", PromQLLexer.FILL);
    KEYWORDS.put("fill_left", PromQLLexer.FILL_LEFT);
    KEYWORDS.put("fill_right", PromQLLexer.FILL_RIGHT);
    KEYWORDS.put("bool", PromQLLexer.BOOL);
    KEYWORDS.put("start", PromQLLexer.START);
    KEYWORDS.put("end", PromQLLexer.END);
    KEYWORDS.put("step", PromQLLexer.STEP);
    KEYWORDS.put("range", PromQLLexer.RANGE);
    KEYWORDS.put("max_of", PromQLLexer.MAX_OF);
    KEYWORDS.put("min_of", PromQLLexer.MIN_OF);
    // Prometheus's lexer turns these two words into numbers.
    KEYWORDS.put("inf", PromQLLexer.NUMBER);
    KEYWORDS.put("nan", PromQLLexer.NUMBER);

    DURATION_KEYWORDS.put("step", PromQLLexer.STEP);
    DURATION_KEYWORDS.put("range", PromQLLexer.RANGE);
    DURATION_KEYWORDS.put("max_of", PromQLLexer.MAX_OF);
    DURATION_KEYWORDS.put("min_of", PromQLLexer.MIN_OF);
  }

  private int parenDepth;

  /** Inside brackets before the first number (and again after the colon): lexDurationExpr. */
  private boolean durationExpressionState;

  private boolean stopped;
  private String errorMessage;
  private int errorOffset = -1;

  protected PromQLLexerBase(CharStream input) {
    super(input);
  }

  /** The first lexical error's message, or {@code null}. */
  public String errorMessage() {
    return errorMessage;
  }

  /** Where Prometheus reports the first lexical error, in code points, or -1. */
  public int errorOffset() {
    return errorOffset;
  }

  @Override
  public Token nextToken() {
    if (stopped) {
      int index = _input.index();
      CommonToken eof =
          new CommonToken(
              new Pair<>(this, _input), Token.EOF, Token.DEFAULT_CHANNEL, index, index - 1);
      eof.setText("<EOF>");
      return eof;
    }
    Token token = super.nextToken();
    switch (token.getType()) {
      case PromQLLexer.IDENTIFIER -> {
        if (_mode == DEFAULT_MODE) {
          classifyIdentifier((CommonToken) token);
        }
      }
      case PromQLLexer.STRING -> checkString((CommonToken) token);
      case PromQLLexer.LEFT_PAREN -> parenDepth++;
      case PromQLLexer.RIGHT_PAREN -> {
        if (--parenDepth < 0) {
          // Prometheus emits the parenthesis, then reports the error just after it.
          return errorToken(token, "unexpected right parenthesis ')'", token.getStopIndex() + 1);
        }
      }
      case PromQLLexer.LEFT_BRACKET, PromQLLexer.COLON -> durationExpressionState = true;
      case PromQLLexer.NUMBER, PromQLLexer.DURATION -> durationExpressionState = false;
      default -> {
        // nothing to track
      }
    }
    return token;
  }

  /** Turns an emitted token into the error token, reporting at {@code offset}. */
  private Token errorToken(Token token, String message, int offset) {
    ((CommonToken) token).setType(PromQLLexer.ERROR);
    stopped = true;
    errorMessage = message;
    errorOffset = offset;
    return token;
  }

  @Override
  public Token emitEOF() {
    int end = _input.index();
    String message = null;
    if (_mode == PromQLLexer.BRACES) {
      message = "unexpected end of input inside braces";
    } else if (_mode == PromQLLexer.BRACKETS && durationExpressionState) {
      message = "unexpected end of input in duration expression";
    } else if (parenDepth > 0) {
      message = "unclosed left parenthesis";
    } else if (_mode == PromQLLexer.BRACKETS) {
      message = "unclosed left bracket";
    }
    if (message == null) {
      return super.emitEOF();
    }
    stopped = true;
    errorMessage = message;
    errorOffset = end;
    CommonToken error =
        new CommonToken(
            new Pair<>(this, _input), PromQLLexer.ERROR, Token.DEFAULT_CHANNEL, end, end - 1);
    error.setText("");
    emit(error);
    return error;
  }

  // ---- actions called from the grammar ----

  /** Reports an error at the start of the current token. */
  protected final void error(String message) {
    errorAt(message, _tokenStartCharIndex);
  }

  private void errorAt(String message, int offset) {
    setType(PromQLLexer.ERROR);
    stopped = true;
    errorMessage = message;
    errorOffset = offset;
  }

  protected final void unexpectedCharacter() {
    error("unexpected character: " + GoQuote.quoteRune(firstCodePoint()));
  }

  protected final void unexpectedCharacterInsideBraces() {
    error("unexpected character inside braces: " + GoQuote.quoteRune(firstCodePoint()));
  }

  protected final void unexpectedCharacterInDurationExpression() {
    error("unexpected character in duration expression: " + GoQuote.quoteRune(firstCodePoint()));
  }

  protected final void unexpectedAfterBang() {
    error("unexpected character after '!': " + GoQuote.quoteRune(nextCodePoint()));
  }

  protected final void unexpectedAfterBangInsideBraces() {
    error("unexpected character after '!' inside braces: " + GoQuote.quoteRune(nextCodePoint()));
  }

  /** Keywords are case-insensitive; metric names (most identifiers) are longer than any. */
  private void classifyIdentifier(CommonToken token) {
    if (token.getStopIndex() - token.getStartIndex() >= LONGEST_KEYWORD) {
      return;
    }
    String text = token.getText();
    token.setText(text);
    Integer keyword = KEYWORDS.get(text.toLowerCase(Locale.ROOT));
    if (keyword == null) {
      return;
    }
    int type = keyword;
    if ((type == PromQLLexer.FILL
            || type == PromQLLexer.FILL_LEFT
            || type == PromQLLexer.FILL_RIGHT)
        && !followedByLeftParen()) {
      // fill is a keyword only in front of its parenthesis, so `fill + fill` stays valid.
      return;
    }
    token.setType(type);
  }

  protected final void classifyDurationKeyword() {
    Integer keyword = DURATION_KEYWORDS.get(getText().toLowerCase(Locale.ROOT));
    if (keyword != null) {
      setType(keyword);
    } else if (durationExpressionState) {
      unexpectedCharacterInDurationExpression();
    } else {
      error("unexpected character: " + GoQuote.quoteRune(firstCodePoint()) + ", expected ':'");
    }
  }

  /** Validates a complete quoted string the way Prometheus's lexer scans it. */
  private void checkString(CommonToken token) {
    String text = token.getText();
    token.setText(text);
    char quote = text.charAt(0);
    String problem =
        quote == '`'
            ? checkRawContent(text, 1, text.length() - 1)
            : checkQuotedContent(text, quote, text.length() - 1);
    if (problem != null) {
      errorToken(token, problem, token.getStartIndex());
    }
  }

  protected final void unterminatedString() {
    String text = getText();
    char quote = text.charAt(0);
    if (quote == '`') {
      String problem = checkRawContent(text, 1, text.length());
      error(problem != null ? problem : "unterminated raw string");
      return;
    }
    boolean danglingBackslash = endsWithOddBackslashes(text);
    String problem =
        checkQuotedContent(text, quote, danglingBackslash ? text.length() - 1 : text.length());
    if (problem != null) {
      error(problem);
    } else if (danglingBackslash) {
      error("escape sequence not terminated");
    } else {
      error("unterminated quoted string");
    }
  }

  private static boolean endsWithOddBackslashes(String text) {
    int count = 0;
    for (int index = text.length() - 1; index > 0 && text.charAt(index) == '\\'; index--) {
      count++;
    }
    return count % 2 == 1;
  }

  private static String checkRawContent(String text, int from, int to) {
    for (int index = from; index < to; index++) {
      if (text.charAt(index) == '\uFFFD') {
        return "invalid UTF-8 rune";
      }
    }
    return null;
  }

  /** The first problem in the escapes of {@code text[1, end)}, as Go's lexer words it. */
  private static String checkQuotedContent(String text, char quote, int end) {
    int index = 1;
    while (index < end) {
      char current = text.charAt(index++);
      if (current == '\uFFFD') {
        return "invalid UTF-8 rune";
      }
      if (current != '\\') {
        continue;
      }
      if (index >= end) {
        return "escape sequence not terminated";
      }
      int escaped = text.codePointAt(index);
      index += Character.charCount(escaped);
      int digits;
      int base;
      int max;
      switch (escaped) {
        case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
          continue;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          digits = 3;
          base = 8;
          max = 255;
          index--;
        }
        case 'x' -> {
          digits = 2;
          base = 16;
          max = 255;
        }
        case 'u' -> {
          digits = 4;
          base = 16;
          max = Character.MAX_CODE_POINT;
        }
        case 'U' -> {
          digits = 8;
          base = 16;
          max = Character.MAX_CODE_POINT;
        }
        default -> {
          if (escaped == quote) {
            continue;
          }
          return "unknown escape sequence " + GoQuote.unicodeNotation(escaped);
        }
      }
      long value = 0;
      for (int digit = 0; digit < digits; digit++) {
        if (index >= end) {
          return "escape sequence not terminated";
        }
        int character = text.codePointAt(index);
        index += Character.charCount(character);
        int digitValue = Character.digit(character, 16);
        if (character > 'f' || digitValue < 0 || digitValue >= base) {
          return "illegal character " + GoQuote.unicodeNotation(character) + " in escape sequence";
        }
        value = value * base + digitValue;
      }
      if (value > max || (value >= 0xD800 && value < 0xE000)) {
        return "escape sequence is an invalid Unicode code point";
      }
    }
    return null;
  }

  /**
   * Scans a number or a duration from the start of the current token, as Prometheus's
   * lexNumberOrDuration does, and makes the token as long as what it accepts.
   */
  protected final void scanNumberOrDuration() {
    _input.seek(_tokenStartCharIndex);
    if (scanNumber()) {
      setType(PromQLLexer.NUMBER);
    } else if (acceptRemainingDuration()) {
      setType(PromQLLexer.DURATION);
    } else {
      int end = _input.index();
      error(
          "bad number or duration syntax: "
              + GoQuote.quote(_input.getText(Interval.of(_tokenStartCharIndex, end - 1))));
    }
  }

  private boolean scanNumber() {
    int initial = _input.index();
    boolean hexadecimal = false;
    if (accept('0') && (accept('x') || accept('X'))) {
      accept('_');
      hexadecimal = true;
    }
    accept('.');
    acceptDigit(hexadecimal);
    boolean dotConsumed = false;
    boolean exponentConsumed = false;
    while (true) {
      int next = peek();
      boolean exponent = next == 'e' || next == 'E';
      if (!(isDigit(next, hexadecimal) || next == '.' || next == '_' || exponent)) {
        break;
      }
      if (next == '.' && dotConsumed) {
        consume();
        return false;
      }
      if (exponent && exponentConsumed) {
        consume();
        return false;
      }
      if (accept('.')) {
        dotConsumed = true;
        if (accept('_') || accept('.')) {
          return false;
        }
        if (hexadecimal) {
          return false;
        }
        continue;
      }
      if (exponent) {
        consume();
        exponentConsumed = true;
        if (!accept('+')) {
          accept('-');
        }
        if (acceptExponentAntiPattern() || peek() == CharStream.EOF) {
          return false;
        }
        continue;
      }
      if (accept('_')) {
        if (acceptExponentAntiPattern() || peek() == CharStream.EOF) {
          return false;
        }
        continue;
      }
      while (isDigit(peek(), hexadecimal)) {
        consume();
      }
    }
    if (_input.index() == initial) {
      return false;
    }
    return !isAlphanumeric(peek());
  }

  private boolean acceptExponentAntiPattern() {
    int next = peek();
    if (next == '.' || next == '_' || next == 'e' || next == 'E') {
      consume();
      return true;
    }
    return false;
  }

  private boolean acceptRemainingDuration() {
    if (!acceptAny("smhdwy")) {
      return false;
    }
    accept('s');
    while (acceptDigit(false)) {
      while (acceptDigit(false)) {
        // the whole number
      }
      if (!acceptAny("smhdw")) {
        return false;
      }
      accept('s');
    }
    if (isAlphanumeric(peek())) {
      consume();
      return false;
    }
    return true;
  }

  private int peek() {
    return _input.LA(1);
  }

  private void consume() {
    if (_input.LA(1) != CharStream.EOF) {
      _input.consume();
    }
  }

  private boolean accept(char expected) {
    if (peek() == expected) {
      consume();
      return true;
    }
    return false;
  }

  private boolean acceptAny(String valid) {
    int next = peek();
    if (next != CharStream.EOF && valid.indexOf(next) >= 0) {
      consume();
      return true;
    }
    return false;
  }

  private boolean acceptDigit(boolean hexadecimal) {
    if (isDigit(peek(), hexadecimal)) {
      consume();
      return true;
    }
    return false;
  }

  private static boolean isDigit(int character, boolean hexadecimal) {
    return (character >= '0' && character <= '9')
        || (hexadecimal
            && ((character >= 'a' && character <= 'f') || (character >= 'A' && character <= 'F')));
  }

  private static boolean isAlphanumeric(int character) {
    return character == '_'
        || (character >= 'a' && character <= 'z')
        || (character >= 'A' && character <= 'Z')
        || (character >= '0' && character <= '9');
  }

  private boolean followedByLeftParen() {
    for (int offset = 1; ; offset++) {
      int next = _input.LA(offset);
      if (next != ' ' && next != '\t' && next != '\n' && next != '\r') {
        return next == '(';
      }
    }
  }

  private int firstCodePoint() {
    return _input.getText(Interval.of(_tokenStartCharIndex, _tokenStartCharIndex)).codePointAt(0);
  }

  private int nextCodePoint() {
    int next = _input.LA(1);
    return next == CharStream.EOF ? -1 : next;
  }
}
