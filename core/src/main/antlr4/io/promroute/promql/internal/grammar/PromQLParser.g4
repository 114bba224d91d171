/*
 * The PromQL grammar (Prometheus 3.14, promql/parser/generated_parser.y).
 *
 * One left-recursive `expr` with its alternatives ordered from the tightest binding to the
 * loosest, which gives yacc's %left/%right table: postfix modifiers, then `^` (right
 * associative), unary +/- (yacc's `%prec MUL`: `-a ^ b` is `-(a ^ b)`, `-a * b` is `(-a) * b`),
 * `* / % atan2`, `+ -`, comparisons, `and unless`, `or`.
 *
 * The grammar accepts a little more than Prometheus's (every postfix modifier on every
 * expression, keyword-gated syntax such as `anchored` or `fill`): the AST builder rejects the
 * rest with Prometheus's messages, as Prometheus's own grammar actions and checkAST do.
 */
parser grammar PromQLParser;

options {
  tokenVocab = PromQLLexer;
  superClass = PromQLParserBase;
}

expression : expr EOF ;

seriesSelector : vectorSelector EOF ;

expr
  : expr LEFT_BRACKET range=durationExpr RIGHT_BRACKET                                 # matrixSelector
  | expr LEFT_BRACKET range=durationExpr COLON step=durationExpr? RIGHT_BRACKET         # subquery
  | expr OFFSET offsetDuration                                                         # offset
  | expr AT atModifier                                                                 # at
  | expr modifier=(ANCHORED | SMOOTHED)                                                # smoothing
  | <assoc=right> lhs=expr op=POW binaryModifiers rhs=expr                             # binary
  | op=(ADD | SUB) expr                                                                # unary
  | lhs=expr op=(MUL | DIV | MOD | ATAN2) binaryModifiers rhs=expr                     # binary
  | lhs=expr op=(ADD | SUB) binaryModifiers rhs=expr                                   # binary
  | lhs=expr op=(EQLC | NEQ | LTE | LSS | GTE | GTR | TRIM_UPPER | TRIM_LOWER) binaryModifiers rhs=expr  # binary
  | lhs=expr op=(LAND | LUNLESS) binaryModifiers rhs=expr                              # binary
  | lhs=expr op=LOR binaryModifiers rhs=expr                                           # binary
  | aggregateOp (grouping functionArguments | functionArguments grouping?)             # aggregation
  | functionName functionArguments                                                     # call
  | LEFT_PAREN expr RIGHT_PAREN                                                        # parenthesized
  | vectorSelector                                                                     # selector
  | literal=(NUMBER | DURATION)                                                        # number
  | STRING                                                                             # string
  ;

// A trailing comma is parsed so that the AST builder can report it as Prometheus does.
functionArguments : LEFT_PAREN (expr (COMMA expr)* trailingComma=COMMA?)? RIGHT_PAREN ;

functionName : IDENTIFIER | START | END | STEP | RANGE | MIN_OF | MAX_OF ;

aggregateOp
  : SUM | AVG | COUNT | MIN | MAX | GROUP | STDDEV | STDVAR
  | TOPK | BOTTOMK | COUNT_VALUES | QUANTILE | LIMITK | LIMIT_RATIO
  ;

grouping : (BY | WITHOUT) groupingLabels ;

groupingLabels : LEFT_PAREN (groupingLabel (COMMA groupingLabel)* COMMA?)? RIGHT_PAREN ;

groupingLabel : labelKeyword | STRING ;

// Prometheus's maybe_label: every keyword except `without` may name a label in a grouping.
labelKeyword
  : IDENTIFIER | METRIC_IDENTIFIER
  | AVG | BOOL | BOTTOMK | BY | COUNT | COUNT_VALUES | GROUP | GROUP_LEFT | GROUP_RIGHT
  | FILL | FILL_LEFT | FILL_RIGHT | IGNORING | LAND | LOR | LUNLESS | MAX | MIN | OFFSET | ON
  | QUANTILE | STDDEV | STDVAR | SUM | TOPK | START | END | ATAN2 | LIMITK | LIMIT_RATIO
  | STEP | RANGE | ANCHORED | SMOOTHED | MAX_OF | MIN_OF
  ;

// bool, then on/ignoring with an optional group modifier, then the fill modifiers.
binaryModifiers : BOOL? (matching=(ON | IGNORING) groupingLabels groupModifier?)? fillModifiers? ;

// yacc shifts a `(` after group_left/group_right as the start of the label list, so a
// parenthesised right-hand side needs the label list first; the predicate keeps that.
groupModifier
  : side=(GROUP_LEFT | GROUP_RIGHT) (groupingLabels | { _input.LA(1) != LEFT_PAREN }? )
  ;

fillModifiers
  : FILL fillValue
  | FILL_LEFT left=fillValue (FILL_RIGHT right=fillValue)?
  | FILL_RIGHT right=fillValue (FILL_LEFT left=fillValue)?
  ;

fillValue : LEFT_PAREN sign=(ADD | SUB)? literal=(NUMBER | DURATION) RIGHT_PAREN ;

atModifier
  : sign=(ADD | SUB)? literal=(NUMBER | DURATION)
  | preprocessor=(START | END) LEFT_PAREN RIGHT_PAREN
  ;

// After `offset` only a literal, a signed literal, a call or a parenthesised expression:
// `foo offset 5m + 1m` is `(foo offset 5m) + 1m`, as in Prometheus.
offsetDuration
  : sign=(ADD | SUB)? literal=(NUMBER | DURATION)                                       # offsetLiteral
  | sign=(ADD | SUB)? durationFunction                                                 # offsetFunction
  | sign=(ADD | SUB)? LEFT_PAREN durationExpr RIGHT_PAREN                              # offsetParenthesized
  ;

durationExpr
  : <assoc=right> lhs=durationExpr op=POW rhs=durationExpr                             # durationBinary
  | sign=(ADD | SUB) durationExpr                                                      # durationUnary
  | lhs=durationExpr op=(MUL | DIV | MOD) rhs=durationExpr                             # durationBinary
  | lhs=durationExpr op=(ADD | SUB) rhs=durationExpr                                   # durationBinary
  | literal=(NUMBER | DURATION)                                                        # durationLiteral
  | durationFunction                                                                   # durationCall
  | LEFT_PAREN durationExpr RIGHT_PAREN                                                # durationParenthesized
  ;

durationFunction
  : name=(STEP | RANGE) LEFT_PAREN RIGHT_PAREN
  | name=(MIN_OF | MAX_OF) LEFT_PAREN first=durationExpr COMMA second=durationExpr RIGHT_PAREN
  ;

vectorSelector
  : metricIdentifier labelMatchers?
  | labelMatchers
  ;

labelMatchers : LEFT_BRACE (labelMatcher (COMMA labelMatcher)* COMMA?)? RIGHT_BRACE ;

labelMatcher
  : labelName=(IDENTIFIER | STRING) op=(EQL | NEQ | EQL_REGEX | NEQ_REGEX) value=STRING
  | quotedName=STRING
  ;

// The keywords Prometheus accepts as metric names (metric_identifier).
metricIdentifier
  : IDENTIFIER | METRIC_IDENTIFIER
  | AVG | BOTTOMK | BY | COUNT | COUNT_VALUES | FILL | FILL_LEFT | FILL_RIGHT | GROUP
  | LAND | LOR | LUNLESS | MAX | MIN | OFFSET | QUANTILE | STDDEV | STDVAR | SUM | TOPK
  | WITHOUT | START | END | LIMITK | LIMIT_RATIO | STEP | RANGE | ANCHORED | SMOOTHED
  | MAX_OF | MIN_OF
  ;
