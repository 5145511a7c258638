//! Consumer-law rules of Redress as pure functions: no I/O, no async, no clock of its own
//! (every function that needs "now" takes it as an argument).
//!
//! - [`calendar`]: the Asia/Shanghai business calendar (public holidays and 调休 as data).
//! - [`provisional`]: the public holidays of a year without a notice, from the law itself.
//! - [`eligibility`]: 7-day no-reason return, Art. 24 and 三包 windows, return freight.
//! - [`damages`]: statutory damages (消法第五十五条, 食品安全法第一百四十八条), in fen.
//! - [`uscc`]: 统一社会信用代码 validation (GB 32100-2015).
//! - [`complaint_check`]: reads a complaint draft and says why it would fail.
//! - [`terms`]: the canonical request kinds, reasons and evidence kinds.
//! - [`citation`]: the articles every answer cites, their legal names in zh-CN and en.
//!
//! Apart from the legal names of what it cites, this crate holds no words: its answers are codes
//! with arguments, told in the reader's language by the text catalogue (`redress-text`).

pub mod calendar;
pub mod citation;
pub mod complaint_check;
pub mod damages;
pub mod eligibility;
pub mod provisional;
pub mod terms;
pub mod uscc;

pub use calendar::{BusinessCalendar, CalendarError, DayKind, ProvisionalWarning, WorkingDeadline, YearSource};
pub use citation::{Article, Citation};
pub use terms::{EvidenceKind, Reason, RequestKind, UnknownTerm};
pub use uscc::{Uscc, UsccError};
