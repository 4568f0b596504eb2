//! The condition tokenizer and recursive-descent parser, with character positions, a
//! length limit and a nesting limit (so hostile input can neither panic nor overflow the
//! stack).

use super::condition::{CompareOp, ConditionError, Expr, Operand, MAX_CONDITION_CHARS, MAX_NESTING};

/// Parses a whole condition.
pub(super) fn parse(source: &str) -> Result<Expr, ConditionError> {
    let length = source.chars().count();
    if length > MAX_CONDITION_CHARS {
        return Err(ConditionError::TooLong { length, max: MAX_CONDITION_CHARS });
    }
    let tokens = tokenize(source)?;
    if tokens.len() <= 1 {
        return Err(ConditionError::Empty);
    }
    let mut parser = Parser { tokens, at: 0, depth: 0 };
    let expr = parser.condition()?;
    let next = parser.peek();
    if next.kind != Kind::End {
        let expected =
            if next.kind == Kind::RParen { "no ')' without a matching '('" } else { "'and', 'or' or the end" };
        return Err(parser.expected(expected));
    }
    Ok(expr)
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ident(String),
    Number(f64),
    Text(String),
    Op(CompareOp),
    And,
    Or,
    Not,
    In,
    Is,
    Missing,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// 1-based character column.
    column: usize,
    /// The text as written (for messages).
    text: String,
}

/// The number literals of `source` as character ranges (start, end), in order; empty if
/// `source` does not tokenize.
pub(super) fn number_spans(source: &str) -> Vec<(usize, usize)> {
    tokenize(source)
        .map(|tokens| {
            tokens
                .iter()
                .filter(|token| matches!(token.kind, Kind::Number(_)))
                .map(|token| (token.column - 1, token.column - 1 + token.text.chars().count()))
                .collect()
        })
        .unwrap_or_default()
}

fn tokenize(source: &str) -> Result<Vec<Token>, ConditionError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    let at_char = |i: usize| chars.get(i).copied();
    while let Some(c) = at_char(at) {
        let column = at + 1;
        let start = at;
        let simple = |kind: Kind, len: usize| (kind, len);
        let (kind, len) = match c {
            c if c.is_whitespace() => {
                at += 1;
                continue;
            }
            '(' => simple(Kind::LParen, 1),
            ')' => simple(Kind::RParen, 1),
            '[' => simple(Kind::LBracket, 1),
            ']' => simple(Kind::RBracket, 1),
            ',' => simple(Kind::Comma, 1),
            '=' if at_char(at + 1) == Some('=') => simple(Kind::Op(CompareOp::Eq), 2),
            '=' => simple(Kind::Op(CompareOp::Eq), 1),
            '!' if at_char(at + 1) == Some('=') => simple(Kind::Op(CompareOp::Ne), 2),
            '<' if at_char(at + 1) == Some('=') => simple(Kind::Op(CompareOp::Le), 2),
            '<' if at_char(at + 1) == Some('>') => simple(Kind::Op(CompareOp::Ne), 2),
            '<' => simple(Kind::Op(CompareOp::Lt), 1),
            '>' if at_char(at + 1) == Some('=') => simple(Kind::Op(CompareOp::Ge), 2),
            '>' => simple(Kind::Op(CompareOp::Gt), 1),
            '"' => {
                let (text, end) = read_text(&chars, at)?;
                tokens.push(Token { kind: Kind::Text(text), column, text: chars_text(&chars, start, end) });
                at = end;
                continue;
            }
            c if c.is_ascii_digit()
                || c == '.'
                || (c == '-' && at_char(at + 1).is_some_and(|n| n.is_ascii_digit() || n == '.')) =>
            {
                let end = number_end(&chars, at);
                let text = chars_text(&chars, start, end);
                let value: f64 = text.parse().map_err(|_| ConditionError::BadNumber { column, text: text.clone() })?;
                if !value.is_finite() {
                    return Err(ConditionError::BadNumber { column, text });
                }
                tokens.push(Token { kind: Kind::Number(value), column, text });
                at = end;
                continue;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = at;
                while at_char(end).is_some_and(|n| n.is_ascii_alphanumeric() || n == '_') {
                    end += 1;
                }
                let text = chars_text(&chars, start, end);
                let kind = keyword(&text).unwrap_or_else(|| Kind::Ident(text.clone()));
                tokens.push(Token { kind, column, text });
                at = end;
                continue;
            }
            found => return Err(ConditionError::UnexpectedCharacter { column, found }),
        };
        tokens.push(Token { kind, column, text: chars_text(&chars, start, start + len) });
        at += len;
    }
    tokens.push(Token { kind: Kind::End, column: chars.len() + 1, text: String::new() });
    Ok(tokens)
}

fn chars_text(chars: &[char], start: usize, end: usize) -> String {
    chars.get(start..end).unwrap_or(&[]).iter().collect()
}

fn keyword(text: &str) -> Option<Kind> {
    let kind = match text.to_ascii_lowercase().as_str() {
        "and" => Kind::And,
        "or" => Kind::Or,
        "not" => Kind::Not,
        "in" => Kind::In,
        "is" => Kind::Is,
        "missing" => Kind::Missing,
        "contains" => Kind::Op(CompareOp::Contains),
        _ => return None,
    };
    Some(kind)
}

/// The end (exclusive) of the number starting at `start`: `-?digits[.digits][e[+-]digits]`.
fn number_end(chars: &[char], start: usize) -> usize {
    let at = |i: usize| chars.get(i).copied();
    let mut end = start;
    if at(end) == Some('-') {
        end += 1;
    }
    while at(end).is_some_and(|c| c.is_ascii_digit() || c == '.') {
        end += 1;
    }
    if at(end).is_some_and(|c| c == 'e' || c == 'E') {
        let mut exp = end + 1;
        if at(exp).is_some_and(|c| c == '+' || c == '-') {
            exp += 1;
        }
        if at(exp).is_some_and(|c| c.is_ascii_digit()) {
            end = exp;
            while at(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
        }
    }
    // Letters glued to a number (`12abc`) make it a bad number rather than two tokens.
    while at(end).is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
        end += 1;
    }
    end
}

/// The text literal opening at `start` (a '"'), and the index after its closing quote.
fn read_text(chars: &[char], start: usize) -> Result<(String, usize), ConditionError> {
    let mut text = String::new();
    let mut at = start + 1;
    loop {
        match chars.get(at) {
            None => return Err(ConditionError::UnterminatedText { column: start + 1 }),
            Some('"') => return Ok((text, at + 1)),
            Some('\\') => match chars.get(at + 1) {
                Some(&escaped @ ('"' | '\\')) => {
                    text.push(escaped);
                    at += 2;
                }
                Some(&found) => return Err(ConditionError::BadEscape { column: at + 1, found }),
                None => return Err(ConditionError::UnterminatedText { column: start + 1 }),
            },
            Some(&c) => {
                text.push(c);
                at += 1;
            }
        }
    }
}

/// A single part as itself, several joined by `join`.
fn collapse(mut parts: Vec<Expr>, join: fn(Vec<Expr>) -> Expr) -> Expr {
    if parts.len() == 1 {
        if let Some(only) = parts.pop() {
            return only;
        }
    }
    join(parts)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

static END_TOKEN: Token = Token { kind: Kind::End, column: 0, text: String::new() };

impl Parser {
    fn peek(&self) -> &Token {
        self.tokens.get(self.at).or(self.tokens.last()).unwrap_or(&END_TOKEN)
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn eat(&mut self, kind: &Kind) -> bool {
        if &self.peek().kind == kind {
            self.advance();
            true
        } else {
            false
        }
    }

    fn expected(&self, expected: &str) -> ConditionError {
        let token = self.peek();
        let found = match token.kind {
            Kind::End => "the end of the condition".to_owned(),
            _ => format!("'{}'", token.text),
        };
        ConditionError::Expected { column: token.column, expected: expected.to_owned(), found }
    }

    fn condition(&mut self) -> Result<Expr, ConditionError> {
        let mut parts = vec![self.and_expr()?];
        while self.eat(&Kind::Or) {
            parts.push(self.and_expr()?);
        }
        Ok(collapse(parts, Expr::Or))
    }

    fn and_expr(&mut self) -> Result<Expr, ConditionError> {
        let mut parts = vec![self.unary()?];
        while self.eat(&Kind::And) {
            parts.push(self.unary()?);
        }
        Ok(collapse(parts, Expr::And))
    }

    fn nest(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ConditionError::TooDeep { column: self.peek().column, max: MAX_NESTING });
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        match self.peek().kind {
            Kind::Not => {
                self.nest()?;
                self.advance();
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Kind::LParen => {
                self.nest()?;
                self.advance();
                let inner = self.condition()?;
                if !self.eat(&Kind::RParen) {
                    return Err(self.expected("')' or 'and' or 'or'"));
                }
                self.depth -= 1;
                Ok(inner)
            }
            _ => self.predicate(),
        }
    }

    fn predicate(&mut self) -> Result<Expr, ConditionError> {
        let operand = self.operand("a column, number or \"text\"")?;
        // `any` before a column name reads the column's whole numbered family.
        if let (Operand::Column(word), Kind::Ident(column)) = (&operand, &self.peek().kind) {
            if word.eq_ignore_ascii_case("any") {
                let column = column.clone();
                self.nest()?;
                let predicate = self.predicate()?;
                self.depth -= 1;
                return Ok(Expr::Any { column, predicate: Box::new(predicate) });
            }
        }
        let after = self.peek().clone();
        match after.kind {
            Kind::Op(op) => {
                self.advance();
                let right = self.operand(&format!("a value after '{}'", after.text))?;
                Ok(Expr::Compare { left: operand, op, right })
            }
            Kind::In => {
                self.advance();
                Ok(Expr::In { operand, values: self.list()?, negated: false })
            }
            Kind::Not => {
                self.advance();
                if !self.eat(&Kind::In) {
                    return Err(self.expected("'in' after 'not'"));
                }
                Ok(Expr::In { operand, values: self.list()?, negated: true })
            }
            Kind::Is => {
                self.advance();
                let negated = self.eat(&Kind::Not);
                if !self.eat(&Kind::Missing) {
                    let expected =
                        if negated { "'missing' after 'is not'" } else { "'missing' or 'not missing' after 'is'" };
                    return Err(self.expected(expected));
                }
                Ok(Expr::Missing { operand, negated })
            }
            _ => Err(self.expected("an operator (=, !=, <, <=, >, >=, contains, in, is missing)")),
        }
    }

    fn operand(&mut self, expected: &str) -> Result<Operand, ConditionError> {
        let operand = match &self.peek().kind {
            Kind::Ident(name) => Operand::Column(name.clone()),
            Kind::Number(value) => Operand::Number(*value),
            Kind::Text(text) => Operand::Text(text.clone()),
            _ => return Err(self.expected(expected)),
        };
        self.advance();
        Ok(operand)
    }

    fn list(&mut self) -> Result<Vec<Operand>, ConditionError> {
        if !self.eat(&Kind::LBracket) {
            return Err(self.expected("'[' to open the list"));
        }
        let mut values = Vec::new();
        loop {
            match &self.peek().kind {
                Kind::Number(value) => values.push(Operand::Number(*value)),
                Kind::Text(text) => values.push(Operand::Text(text.clone())),
                _ => return Err(self.expected("a number or \"text\" in the list")),
            }
            self.advance();
            if self.eat(&Kind::RBracket) {
                return Ok(values);
            }
            if !self.eat(&Kind::Comma) {
                return Err(self.expected("',' or ']'"));
            }
        }
    }
}
