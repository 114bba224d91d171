/*
 * The PromQL lexer (Prometheus 3.14, promql/parser/lex.go).
 *
 * Three modes, because PromQL's lexing depends on context: the default mode, label matchers
 * inside braces, and durations inside brackets. PromQLLexerBase classifies keywords
 * (case-insensitively, with the `fill(` look-ahead), validates strings' escapes and counts
 * parentheses as tokens leave the lexer, and scans numbers and durations: their rules
 * (underscores only between digits, no hexadecimal fractions, a number followed by a letter
 * must be a duration) are easier to state in Java than as lexer rules.
 * Lexical errors become one ERROR token, after which the lexer only returns EOF, as in Prometheus.
 */
lexer grammar PromQLLexer;

options { superClass = PromQLLexerBase; }

tokens {
  NUMBER, DURATION, ERROR,
  LAND, LOR, LUNLESS, ATAN2,
  SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR, TOPK, BOTTOMK, COUNT_VALUES, QUANTILE,
  LIMITK, LIMIT_RATIO,
  OFFSET, SMOOTHED, ANCHORED, BY, WITHOUT, ON, IGNORING, GROUP_LEFT, GROUP_RIGHT,
  FILL, FILL_LEFT, FILL_RIGHT, BOOL,
  START, END, STEP, RANGE, MAX_OF, MIN_OF
}

WHITESPACE : [ \t\r\n]+ -> skip ;
COMMENT : '#' ~[\r\n]* -> skip ;

LEFT_PAREN : '(' ;
RIGHT_PAREN : ')' ;
LEFT_BRACE : '{' -> pushMode(BRACES) ;
LEFT_BRACKET : '[' -> pushMode(BRACKETS) ;
UNEXPECTED_RIGHT_BRACKET : ']' { error("unexpected right bracket ']'"); } ;
COMMA : ',' ;
AT : '@' ;

ADD : '+' ;
SUB : '-' ;
MUL : '*' ;
DIV : '/' ;
MOD : '%' ;
POW : '^' ;
EQLC : '==' ;
NEQ : '!=' ;
LTE : '<=' ;
LSS : '<' ;
GTE : '>=' ;
GTR : '>' ;
TRIM_UPPER : '</' ;
TRIM_LOWER : '>/' ;
EQL : '=' ;
EQL_TILDE : '=~' { error("unexpected character after '=': '~'"); } ;
LONE_BANG : '!' { unexpectedAfterBang(); } ;

STRING : STRING_BODY ;
UNTERMINATED_STRING : UNTERMINATED_STRING_BODY { unterminatedString(); } ;

// An identifier with a colon is a METRIC_IDENTIFIER (the longer match), never a keyword.
IDENTIFIER : [a-zA-Z_] [a-zA-Z0-9_]* ;
METRIC_IDENTIFIER : [a-zA-Z_:] [a-zA-Z0-9_:]* ;

NUMBER_START : ([0-9] | '.' [0-9]) { scanNumberOrDuration(); } ;

UNEXPECTED_CHARACTER : . { unexpectedCharacter(); } ;

fragment STRING_BODY
  : '"' (~["\\\n] | '\\' .)* '"'
  | '\'' (~['\\\n] | '\\' .)* '\''
  | '`' ~'`'* '`'
  ;

fragment UNTERMINATED_STRING_BODY
  : '"' (~["\\\n] | '\\' .)* '\\'?
  | '\'' (~['\\\n] | '\\' .)* '\\'?
  | '`' ~'`'*
  ;

mode BRACES;

BRACES_WHITESPACE : [ \t\r\n]+ -> skip ;
BRACES_COMMENT : '#' ~[\r\n]* -> skip ;
LABEL_NAME : [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER) ;
BRACES_COMMA : ',' -> type(COMMA) ;
BRACES_STRING : STRING_BODY -> type(STRING) ;
BRACES_UNTERMINATED_STRING : UNTERMINATED_STRING_BODY { unterminatedString(); } ;
EQL_REGEX : '=~' ;
NEQ_REGEX : '!~' ;
BRACES_EQL : '=' -> type(EQL) ;
BRACES_NEQ : '!=' -> type(NEQ) ;
RIGHT_BRACE : '}' -> popMode ;
BRACES_LONE_BANG : '!' { unexpectedAfterBangInsideBraces(); } ;
BRACES_LEFT_BRACE : '{' { error("unexpected left brace '{'"); } ;
BRACES_UNEXPECTED_CHARACTER : . { unexpectedCharacterInsideBraces(); } ;

mode BRACKETS;

BRACKETS_WHITESPACE : [ \t\r\n]+ -> skip ;
RIGHT_BRACKET : ']' -> popMode ;
COLON : ':' ;
BRACKETS_LEFT_PAREN : '(' -> type(LEFT_PAREN) ;
BRACKETS_RIGHT_PAREN : ')' -> type(RIGHT_PAREN) ;
BRACKETS_COMMA : ',' -> type(COMMA) ;
BRACKETS_ADD : '+' -> type(ADD) ;
BRACKETS_SUB : '-' -> type(SUB) ;
BRACKETS_MUL : '*' -> type(MUL) ;
BRACKETS_DIV : '/' -> type(DIV) ;
BRACKETS_MOD : '%' -> type(MOD) ;
BRACKETS_POW : '^' -> type(POW) ;
DURATION_KEYWORD : [a-zA-Z_]+ { classifyDurationKeyword(); } ;
BRACKETS_NUMBER_START : ([0-9] | '.' [0-9]) { scanNumberOrDuration(); } ;
BRACKETS_LEFT_BRACKET : '[' { error("unexpected left bracket '['"); } ;
BRACKETS_UNEXPECTED_CHARACTER : . { unexpectedCharacterInDurationExpression(); } ;
