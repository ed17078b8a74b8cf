//! A Server-Sent Events parser (the WHATWG "event stream" format), fed by arbitrary chunks.
//!
//! The console reads the health stream with `fetch` rather than `EventSource` so it can send an
//! `Authorization` header, abort, and apply its own limits. Parsing is kept pure for tests: a
//! hostile region can send garbage, split events anywhere, or an endless line.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `message` when the stream named none.
    pub event: String,
    pub data: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SseError {
    #[error("an event or line in the stream exceeded {0} bytes")]
    TooLarge(usize),
}

#[derive(Debug)]
pub struct SseParser {
    line: String,
    event: String,
    data: String,
    has_data: bool,
    /// A chunk that ended in `\r` may be half of a `\r\n`.
    pending_cr: bool,
    max_bytes: usize,
}

impl SseParser {
    pub fn new(max_bytes: usize) -> Self {
        SseParser {
            line: String::new(),
            event: String::new(),
            data: String::new(),
            has_data: false,
            pending_cr: false,
            max_bytes,
        }
    }

    pub fn push(&mut self, chunk: &str) -> Result<Vec<SseEvent>, SseError> {
        let mut out = Vec::new();
        for c in chunk.chars() {
            if self.pending_cr {
                self.pending_cr = false;
                if c == '\n' {
                    continue;
                }
            }
            match c {
                '\r' => {
                    self.pending_cr = true;
                    self.end_line(&mut out);
                }
                '\n' => self.end_line(&mut out),
                _ => {
                    self.line.push(c);
                    if self.line.len() + self.data.len() > self.max_bytes {
                        return Err(SseError::TooLarge(self.max_bytes));
                    }
                }
            }
        }
        Ok(out)
    }

    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            if self.has_data {
                let event = if self.event.is_empty() { "message".to_string() } else { std::mem::take(&mut self.event) };
                out.push(SseEvent { event, data: std::mem::take(&mut self.data) });
            }
            self.event.clear();
            self.data.clear();
            self.has_data = false;
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_named_events_split_anywhere() {
        let stream = "event: heartbeat\ndata: {\"at\":\"x\"}\n\n: comment\nevent: zone\r\ndata: a\r\ndata: b\r\n\r\n";
        for split in 0..stream.len() {
            let mut p = SseParser::new(1024);
            let mut got = p.push(&stream[..split]).expect("ok");
            got.extend(p.push(&stream[split..]).expect("ok"));
            assert_eq!(
                got,
                vec![
                    SseEvent { event: "heartbeat".into(), data: "{\"at\":\"x\"}".into() },
                    SseEvent { event: "zone".into(), data: "a\nb".into() },
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        let mut p = SseParser::new(1024);
        assert!(p.push("event: region\n\ndata\n\n").expect("ok").len() == 1);
    }

    #[test]
    fn endless_line_is_refused() {
        let mut p = SseParser::new(16);
        assert_eq!(p.push(&"x".repeat(100)), Err(SseError::TooLarge(16)));
    }
}
