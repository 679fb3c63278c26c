//! Where each `${NAME}` of a shell template stands, as `sh` reads the text
//! around it: in plain code, inside double quotes, in a here-document,
//! in a comment, or somewhere the shell would not expand a reference.
//!
//! This decides only how a reference is spelled (`"${V}"` in code, `${V}`
//! where the text is already quoted) so that the value arrives as one
//! intact word. It never decides safety: whatever it concludes, the script
//! holds a variable reference and never a value, and `sh` never reads the
//! result of an expansion as code.

use std::collections::VecDeque;

use crate::domain::runbook::template::{Piece, Template};

/// Where a placeholder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Unquoted code (top level, `$(...)`, backticks): needs `"${V}"`.
    Code,
    /// Inside `"..."`: `${V}` as it is.
    Double,
    /// The body of a here-document whose delimiter is unquoted: expanded,
    /// never split, quotes are literal there: `${V}` as it is.
    Heredoc,
    /// In a `#` comment: never read by the shell.
    Comment,
    /// Inside `'...'`: the shell would print the reference, not the value.
    Single,
    /// In a here-document whose delimiter is quoted (`<<'EOF'`): not
    /// expanded either.
    QuotedHeredoc,
    /// Right after a backslash, which would make the reference literal.
    Escaped,
}

/// A token of the template: one character of its text, or a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Ch(char),
    Var,
}

/// What closes a code frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Close {
    /// The end of the text.
    End,
    /// The `)` of `$(`, counting parentheses opened since.
    Paren(u32),
    /// A backtick.
    Backtick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Heredoc {
    delim: String,
    strip_tabs: bool,
    expand: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Frame {
    Code(Close),
    Single,
    Double,
    Comment,
    Body(Heredoc),
}

/// The place of every placeholder of `t`, in order.
#[must_use]
pub fn places(t: &Template) -> Vec<Place> {
    let mut toks = Vec::new();
    for p in t.pieces() {
        match p {
            Piece::Literal(text) => toks.extend(text.chars().map(Tok::Ch)),
            Piece::Var(_) => toks.push(Tok::Var),
        }
    }
    Lexer::default().run(&toks)
}

#[derive(Default)]
struct Lexer {
    stack: Vec<Frame>,
    pending: VecDeque<Heredoc>,
    out: Vec<Place>,
    /// The previous token ended a word (or there was none): `#` there
    /// starts a comment.
    word_start: bool,
    /// At the first character of a here-document line.
    line_start: bool,
}

fn ch(toks: &[Tok], i: usize) -> Option<char> {
    match toks.get(i) {
        Some(Tok::Ch(c)) => Some(*c),
        _ => None,
    }
}

impl Lexer {
    fn run(mut self, toks: &[Tok]) -> Vec<Place> {
        self.stack.push(Frame::Code(Close::End));
        self.word_start = true;
        let mut i = 0;
        while i < toks.len() {
            i = self.step(toks, i);
        }
        self.out
    }

    fn top(&self) -> Frame {
        self.stack
            .last()
            .cloned()
            .unwrap_or(Frame::Code(Close::End))
    }

    /// Handles the token at `i`; returns the index of the next one.
    fn step(&mut self, toks: &[Tok], i: usize) -> usize {
        match self.top() {
            Frame::Code(close) => self.code(toks, i, close),
            Frame::Single => {
                match toks[i] {
                    Tok::Var => self.out.push(Place::Single),
                    Tok::Ch('\'') => self.pop(),
                    Tok::Ch(_) => {}
                }
                i + 1
            }
            Frame::Double => self.double(toks, i),
            Frame::Comment => {
                match toks[i] {
                    Tok::Var => self.out.push(Place::Comment),
                    Tok::Ch('\n') => {
                        // The newline ends the comment and is read as code
                        // (a here-document may start after it).
                        self.pop();
                        return i;
                    }
                    Tok::Ch(_) => {}
                }
                i + 1
            }
            Frame::Body(h) => self.body(toks, i, &h),
        }
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// A backslash at `i`: the next token is literal. A placeholder there
    /// is recorded as escaped.
    fn escape(&mut self, toks: &[Tok], i: usize) -> usize {
        if toks.get(i + 1) == Some(&Tok::Var) {
            self.out.push(Place::Escaped);
        }
        i + 2
    }

    fn code(&mut self, toks: &[Tok], i: usize, close: Close) -> usize {
        let c = match toks[i] {
            Tok::Var => {
                self.out.push(Place::Code);
                self.word_start = false;
                return i + 1;
            }
            Tok::Ch(c) => c,
        };
        let word_start = self.word_start;
        self.word_start = c.is_whitespace() || ";&|()<>".contains(c);
        match c {
            '\\' => return self.escape(toks, i),
            '\'' => self.stack.push(Frame::Single),
            '"' => self.stack.push(Frame::Double),
            '`' if close == Close::Backtick => self.pop(),
            '`' => self.open(Close::Backtick),
            '$' if ch(toks, i + 1) == Some('(') => {
                self.open(Close::Paren(1));
                return i + 2;
            }
            '(' => self.paren(1),
            ')' => self.paren(-1),
            '#' if word_start => self.stack.push(Frame::Comment),
            '<' if ch(toks, i + 1) == Some('<') => return self.heredoc_op(toks, i + 2),
            '\n' => self.start_body(),
            _ => {}
        }
        i + 1
    }

    fn open(&mut self, close: Close) {
        self.stack.push(Frame::Code(close));
        self.word_start = true;
    }

    /// Counts a parenthesis in a `$(` frame; the one that balances it
    /// closes the frame.
    fn paren(&mut self, by: i32) {
        if let Some(Frame::Code(Close::Paren(depth))) = self.stack.last_mut() {
            let next = i64::from(*depth) + i64::from(by);
            if next <= 0 {
                self.pop();
            } else {
                *depth = u32::try_from(next).unwrap_or(u32::MAX);
            }
        }
    }

    fn double(&mut self, toks: &[Tok], i: usize) -> usize {
        match toks[i] {
            Tok::Var => self.out.push(Place::Double),
            Tok::Ch('\\') => return self.escape(toks, i),
            Tok::Ch('"') => self.pop(),
            Tok::Ch('`') => self.open(Close::Backtick),
            Tok::Ch('$') if ch(toks, i + 1) == Some('(') => {
                self.open(Close::Paren(1));
                return i + 2;
            }
            Tok::Ch(_) => {}
        }
        i + 1
    }

    /// After `<<`: an optional `-`, blanks, then the delimiter word. Any
    /// quoting in the word means the body is not expanded.
    fn heredoc_op(&mut self, toks: &[Tok], mut i: usize) -> usize {
        let strip_tabs = ch(toks, i) == Some('-');
        if strip_tabs {
            i += 1;
        }
        while matches!(ch(toks, i), Some(' ' | '\t')) {
            i += 1;
        }
        let mut delim = String::new();
        let mut quoted = false;
        while let Some(c) = ch(toks, i) {
            if c.is_whitespace() || ";&|<>()".contains(c) {
                break;
            }
            i += 1;
            match c {
                '\'' | '"' => {
                    quoted = true;
                    while let Some(q) = ch(toks, i) {
                        i += 1;
                        if q == c {
                            break;
                        }
                        delim.push(q);
                    }
                }
                '\\' => {
                    quoted = true;
                    if let Some(n) = ch(toks, i) {
                        delim.push(n);
                        i += 1;
                    }
                }
                _ => delim.push(c),
            }
        }
        if !delim.is_empty() || quoted {
            self.pending.push_back(Heredoc {
                delim,
                strip_tabs,
                expand: !quoted,
            });
        }
        self.word_start = true;
        i
    }

    /// A newline in code: the next pending here-document's body begins.
    fn start_body(&mut self) {
        if let Some(h) = self.pending.pop_front() {
            self.stack.push(Frame::Body(h));
            self.line_start = true;
        }
    }

    fn body(&mut self, toks: &[Tok], i: usize, h: &Heredoc) -> usize {
        if self.line_start {
            self.line_start = false;
            if let Some(next) = delimiter_line(toks, i, h) {
                self.pop();
                self.start_body();
                return next;
            }
        }
        match toks[i] {
            Tok::Var if h.expand => self.out.push(Place::Heredoc),
            Tok::Var => self.out.push(Place::QuotedHeredoc),
            Tok::Ch('\n') => self.line_start = true,
            Tok::Ch(_) if !h.expand => {}
            Tok::Ch('\\') => return self.escape(toks, i),
            Tok::Ch('`') => self.open(Close::Backtick),
            Tok::Ch('$') if ch(toks, i + 1) == Some('(') => {
                self.open(Close::Paren(1));
                return i + 2;
            }
            Tok::Ch(_) => {}
        }
        i + 1
    }
}

/// When the line at `i` is `h`'s delimiter (tabs stripped for `<<-`),
/// the index after it and its newline.
fn delimiter_line(toks: &[Tok], mut i: usize, h: &Heredoc) -> Option<usize> {
    if h.strip_tabs {
        while ch(toks, i) == Some('\t') {
            i += 1;
        }
    }
    let mut line = String::new();
    loop {
        match toks.get(i) {
            None => break,
            Some(Tok::Ch('\n')) => {
                i += 1;
                break;
            }
            Some(Tok::Ch(c)) => line.push(*c),
            Some(Tok::Var) => return None,
        }
        i += 1;
    }
    (line == h.delim).then_some(i)
}
