//! The pure rules of an after-sales case (售后单): money, orders, the case lifecycle
//! (`decide` / `apply`), policy and the hash chain. No I/O, no async, no clocks: time is an
//! argument, so every rule can be tested as a function.

pub mod actor;
pub mod bounded;
pub mod case;
pub mod chain;
pub mod command;
pub mod conversation;
pub mod event;
pub mod evidence;
pub mod fault;
pub mod free_text;
pub mod ids;
pub mod lifecycle;
pub mod money;
pub mod order;
pub mod phone;
pub mod policy;
pub mod rejection;
pub mod time;
pub mod vocabulary;

pub use actor::{Actor, Party, Side};
pub use case::{Case, CaseState, Deadline, OnTimeout, Outcome, Stage};
pub use command::{Command, CommandKind};
pub use event::{Event, EventBody};
pub use ids::{CaseId, EvidenceId, MerchantId, OrderId, TokenId, UserId};
pub use lifecycle::{Env, WorkingCalendar, apply, decide, decide_filing};
pub use money::Money;
pub use policy::Policy;
pub use rejection::{Detail, DetailCode, Rejection, RejectionCode};
