//! The admin's pages: the accounts and the shops, the policy versions, the business calendar
//! (the years deadlines are counted over provisionally, with what to do), and an overview of the
//! platform's queues (open cases by state and by stage, overdue ones). Each is a page of tables.

use crate::case::{Cursor, PAGE, paged};
use crate::failure::{Failure, app_error_text};
use crate::forms::{Field, Input};
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Posted, Shell, html, ok, see};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use redress_app::ports::CaseFilter;
use redress_app::{App, Role};
use std::collections::BTreeMap;

/// A table of a page: its id, caption, column heads and rows.
pub struct Table {
    pub id: &'static str,
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// The table's next page, when it has one.
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    t: Tr,
    s: Shell,
    title: String,
    /// Warnings to act on (provisional calendar years).
    warnings: Vec<String>,
    tables: Vec<Table>,
    forms: Vec<AdminForm>,
}

/// A form of an admin page (a new shop, a new account), posted to `/admin/{action}`.
pub struct AdminForm {
    pub action: &'static str,
    pub title: String,
    pub fields: Vec<Field>,
    pub error: Option<String>,
}

impl AdminForm {
    fn new(action: &'static str, t: Tr, fields: &[(&'static str, Input, bool)]) -> AdminForm {
        let fields = fields
            .iter()
            .map(|&(name, input, required)| Field {
                name,
                label: t.get(&format!("admin-{action}-{}", name.replace('_', "-"))),
                input,
                required,
                options: Vec::new(),
                value: String::new(),
                error: None,
            })
            .collect();
        AdminForm { action, title: t.get(&format!("admin-{action}")), fields, error: None }
    }

    /// Fills the fields with what was posted; required ones left empty are marked.
    fn fill(&mut self, posted: &Posted, t: Tr) -> bool {
        for field in &mut self.fields {
            field.value = posted.get(field.name).unwrap_or("").trim().to_owned();
            if field.required && field.value.is_empty() {
                field.error = Some(t.get("form-error-required"));
            }
            if matches!(field.input, Input::Choice { .. })
                && !field.value.is_empty()
                && !field.options.iter().any(|(v, _)| *v == field.value)
            {
                field.error = Some(t.get("form-error-choice"));
            }
        }
        if let Some(unknown) = crate::forms::unknown_field(posted, self.fields.iter().map(|f| f.name)) {
            self.error = Some(t.with("form-error-unknown-field", &[("name", unknown.to_owned())]));
        }
        self.error.is_none() && self.fields.iter().all(|f| f.error.is_none())
    }

    fn value(&self, name: &str) -> String {
        self.fields.iter().find(|f| f.name == name).map(|f| f.value.clone()).unwrap_or_default()
    }

    fn refuse(&mut self, name: &str, message: String) {
        match self.fields.iter_mut().find(|f| f.name == name) {
            Some(field) => field.error = Some(message),
            None => self.error = Some(message),
        }
    }
}

fn shop_form(t: Tr) -> AdminForm {
    use Input::*;
    let fields = [("name", Line, true), ("credit_code", Line, true), ("address", Line, true), ("phone", Line, false)];
    AdminForm::new("new-shop", t, &fields)
}

fn user_form(t: Tr, shops: &[redress_domain::order::Merchant]) -> AdminForm {
    use Input::*;
    let fields = [
        ("login", Line, true),
        ("display_name", Line, true),
        ("password", Password, true),
        ("role", Choice { numeric: false }, true),
        ("merchant_id", Choice { numeric: false }, false),
    ];
    let mut form = AdminForm::new("new-user", t, &fields);
    form.fields[3].options = [Role::Buyer, Role::Merchant, Role::Agent, Role::Admin]
        .map(|r| (r.as_str().to_owned(), t.get(&format!("role-{}", r.as_str()))))
        .to_vec();
    let mut options = vec![(String::new(), t.get("form-choose-none"))];
    options.extend(shops.iter().map(|m| (m.id.0.to_string(), m.name.clone())));
    form.fields[4].options = options;
    form
}

fn admin_only(signed: &Signed) -> Result<Tr, Failure> {
    match signed.user.role {
        Role::Admin => Ok(signed.tr),
        _ => Err(Failure::Forbidden(signed.tr)),
    }
}

fn page(signed: &Signed, title: &str, warnings: Vec<String>, tables: Vec<Table>) -> Response {
    let t = signed.tr;
    ok(&AdminPage { t, s: Shell::of(signed), title: t.get(title), warnings, tables, forms: Vec::new() })
}

fn heads(t: Tr, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t.get(k)).collect()
}

/// The users page's cursors: one per table.
#[derive(serde::Deserialize, Default)]
pub struct UsersCursor {
    users_before: Option<String>,
    shops_before: Option<String>,
}

/// `GET /admin/users[?users_before=&shops_before=]`: the accounts and the shops, newest first,
/// a page of each at a time, and the forms making them.
pub async fn users(
    State(app): State<App>,
    signed: Signed,
    axum::extract::Query(cursor): axum::extract::Query<UsersCursor>,
) -> Result<Response, Failure> {
    users_page(&app, &signed, &cursor, None, StatusCode::OK).await
}

/// Every shop (for the account form's choice and the accounts' shop names), a page at a time.
async fn all_shops(app: &App, signed: &Signed, t: Tr) -> Result<Vec<redress_domain::order::Merchant>, Failure> {
    let (mut all, mut before) = (Vec::new(), None);
    loop {
        let page =
            app.list_merchants(&signed.principal, before, Some(100)).await.map_err(|e| Failure::from_app(e, t))?;
        let full = page.len() == 100;
        before = page.last().map(|m| m.id);
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// The users page; with a refused form in place of its empty one (422).
async fn users_page(
    app: &App,
    signed: &Signed,
    cursor: &UsersCursor,
    refused: Option<AdminForm>,
    status: StatusCode,
) -> Result<Response, Failure> {
    let t = admin_only(signed)?;
    let err = |e| Failure::from_app(e, t);
    let read = i64::try_from(PAGE + 1).unwrap_or(i64::MAX);
    let users_before = Cursor { before: cursor.users_before.clone() }.id(t)?;
    let shops_before = Cursor { before: cursor.shops_before.clone() }.id(t)?;
    let mut users = app.list_users(&signed.principal, users_before, Some(read)).await.map_err(err)?;
    let mut shop_page = app.list_merchants(&signed.principal, shops_before, Some(read)).await.map_err(err)?;
    let keep = |name: &str, value: &Option<String>| value.as_ref().map(|v| format!("{name}={v}"));
    let users_link = match keep("shops_before", &cursor.shops_before) {
        Some(other) => format!("/admin/users?{other}&users_before="),
        None => "/admin/users?users_before=".to_owned(),
    };
    let shops_link = match keep("users_before", &cursor.users_before) {
        Some(other) => format!("/admin/users?{other}&shops_before="),
        None => "/admin/users?shops_before=".to_owned(),
    };
    let users_next = paged(&mut users, &users_link, |u| u.id.to_string());
    let shops_next = paged(&mut shop_page, &shops_link, |m| m.id.0.to_string());
    let shop_list = all_shops(app, signed, t).await?;
    let shops = &shop_list;
    let shop_name = |id| shops.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
    let users = Table {
        id: "users",
        caption: t.get("admin-users"),
        head: heads(t, &["admin-login", "admin-name", "admin-role", "admin-shop"]),
        rows: users
            .iter()
            .map(|u| {
                vec![
                    u.login.clone(),
                    u.display_name.clone(),
                    t.get(&format!("role-{}", u.role.as_str())),
                    u.merchant_id.map(shop_name).unwrap_or_default(),
                ]
            })
            .collect(),
        next: users_next,
    };
    let shops = Table {
        id: "shops",
        caption: t.get("admin-shops"),
        head: heads(t, &["admin-name", "admin-credit-code", "admin-address", "admin-phone"]),
        rows: shop_page
            .iter()
            .map(|m| {
                vec![m.name.clone(), m.credit_code.clone(), m.address.clone(), m.phone.clone().unwrap_or_default()]
            })
            .collect(),
        next: shops_next,
    };
    let mut forms = vec![user_form(t, &shop_list), shop_form(t)];
    if let Some(refused) = refused {
        forms.retain(|f| f.action != refused.action);
        forms.push(refused);
    }
    let page = AdminPage {
        t,
        s: Shell::of(signed),
        title: t.get("admin-users-title"),
        warnings: Vec::new(),
        tables: vec![users, shops],
        forms,
    };
    Ok(html(status, &page))
}

/// `POST /admin/new-shop`
pub async fn new_shop(State(app): State<App>, signed: Signed, posted: Posted) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let mut form = shop_form(t);
    if form.fill(&posted, t) && redress_law::Uscc::parse(&form.value("credit_code")).is_err() {
        form.refuse("credit_code", t.get("admin-error-credit-code"));
    }
    if form.fields.iter().any(|f| f.error.is_some()) {
        return users_page(&app, &signed, &UsersCursor::default(), Some(form), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let phone = Some(form.value("phone")).filter(|p| !p.is_empty());
    let shop = redress_domain::order::Merchant {
        id: redress_domain::MerchantId(uuid::Uuid::now_v7()),
        name: form.value("name"),
        credit_code: form.value("credit_code"),
        address: form.value("address"),
        phone,
    };
    match app.create_merchant(&signed.principal, shop).await {
        Ok(_) => Ok(see("/admin/users#shops-2")),
        Err(e @ (redress_app::AppError::Invalid(_) | redress_app::AppError::Duplicate(_))) => {
            form.error = Some(app_error_text(&e, t));
            users_page(&app, &signed, &UsersCursor::default(), Some(form), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(Failure::from_app(e, t)),
    }
}

/// `POST /admin/new-user`
pub async fn new_user(State(app): State<App>, signed: Signed, posted: Posted) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let shops = all_shops(&app, &signed, t).await?;
    let mut form = user_form(t, &shops);
    let role = form.fill(&posted, t).then(|| serde_json::from_value::<Role>(form.value("role").into()).ok()).flatten();
    let shop = form.value("merchant_id").parse().ok().map(redress_domain::MerchantId);
    if role == Some(Role::Merchant) && shop.is_none() {
        form.refuse("merchant_id", t.get("form-error-required"));
    }
    let Some(role) = role.filter(|_| form.fields.iter().all(|f| f.error.is_none())) else {
        return users_page(&app, &signed, &UsersCursor::default(), Some(form), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let new = redress_app::users::NewUser {
        login: form.value("login"),
        password: form.value("password"),
        display_name: form.value("display_name"),
        role,
        merchant_id: shop.filter(|_| role == Role::Merchant),
        phone: None,
        address: None,
        email: None,
    };
    match app.create_user(Some(&signed.principal), new).await {
        Ok(_) => Ok(see("/admin/users")),
        Err(e @ redress_app::AppError::Duplicate(_)) => {
            form.refuse("login", app_error_text(&e, t));
            users_page(&app, &signed, &UsersCursor::default(), Some(form), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e @ redress_app::AppError::Invalid(_)) => {
            form.error = Some(app_error_text(&e, t));
            users_page(&app, &signed, &UsersCursor::default(), Some(form), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(Failure::from_app(e, t)),
    }
}

/// `GET /admin/policies`: every policy version, its dates and its time limits.
pub async fn policies(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let versions = app.policy_versions().await.map_err(|e| Failure::from_app(e, t))?;
    let tables = versions
        .iter()
        .rev()
        .map(|v| {
            let limits = serde_json::to_value(&v.policy).ok();
            let limits = limits.as_ref().and_then(|l| l.as_object());
            Table {
                id: "policy",
                caption: t.with(
                    "admin-policy-version",
                    &[
                        ("version", v.version.to_string()),
                        ("published", published(v.published_at, t)),
                        ("effective", t.time(v.effective_at)),
                    ],
                ),
                head: heads(t, &["admin-policy-setting", "admin-policy-value"]),
                rows: limits
                    .into_iter()
                    .flatten()
                    .map(|(name, value)| vec![t.get(&format!("policy-{name}")), policy_value(name, value, t)])
                    .collect(),
                next: None,
            }
        })
        .collect();
    Ok(page(&signed, "admin-policies-title", Vec::new(), tables))
}

/// A day's name in the reader's language: the calendar's data names each "中文 English" (the
/// Chinese part has no space), and the page shows one of them.
fn day_name(name: &str, t: Tr) -> &str {
    match (name.split_once(' '), t.lang) {
        (Some((zh, _)), redress_text::Lang::Zh) => zh,
        (Some((_, en)), redress_text::Lang::En) => en,
        (None, _) => name,
    }
}

/// The built-in first version was never published by anyone: no date of 1970.
fn published(at: jiff::Timestamp, t: Tr) -> String {
    if at == jiff::Timestamp::UNIX_EPOCH { t.get("admin-policy-built-in") } else { t.time(at) }
}

/// A policy setting's value in words, its unit read from its name (`_hours`, `_working_days`).
fn policy_value(name: &str, value: &serde_json::Value, t: Tr) -> String {
    let list = |values: &Vec<serde_json::Value>| {
        let separator = if t.lang == redress_text::Lang::Zh { "、" } else { ", " };
        values.iter().map(ToString::to_string).collect::<Vec<_>>().join(separator)
    };
    match value {
        serde_json::Value::Null => t.get("policy-unset"),
        serde_json::Value::Array(values) => t.with("policy-hours-before", &[("list", list(values))]),
        n if name.ends_with("_hours") => t.with("policy-hours", &[("n", n.to_string())]),
        n if name.ends_with("_working_days") => t.with("policy-working-days", &[("n", n.to_string())]),
        other => other.to_string(),
    }
}

/// `GET /admin/calendar`: the years of the business calendar and their notices; the years
/// deadlines are counted over provisionally, with what to import.
pub async fn calendar(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let file = app.calendar_file();
    let warnings = file.provisional_years.iter().map(|w| redress_text::law::provisional_year(t.lang, w.year)).collect();
    let years = Table {
        id: "calendar",
        caption: t.get("admin-calendar-years"),
        head: heads(
            t,
            &["admin-calendar-year", "admin-calendar-holidays", "admin-calendar-workdays", "admin-calendar-source"],
        ),
        rows: file
            .years
            .iter()
            .map(|y| {
                let holidays: Vec<String> = y
                    .holidays
                    .iter()
                    .map(|h| match h.end {
                        Some(end) => format!("{} {}–{}", day_name(&h.name, t), h.start, end),
                        None => format!("{} {}", day_name(&h.name, t), h.start),
                    })
                    .collect();
                let workdays: Vec<String> =
                    y.make_up_workdays.iter().map(|w| format!("{} {}", w.date, day_name(&w.name, t))).collect();
                vec![y.year.to_string(), holidays.join("; "), workdays.join("; "), y.source.clone()]
            })
            .collect(),
        next: None,
    };
    Ok(page(&signed, "admin-calendar-title", warnings, vec![years]))
}

/// `GET /admin/overview`: the platform's open cases by state and by stage, and how many are
/// overdue (every case, a page of 100 at a time).
pub async fn overview(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = admin_only(&signed)?;
    let now = app.clock.now();
    let (mut by_state, mut by_stage) = (BTreeMap::<String, [usize; 2]>::new(), BTreeMap::<String, [usize; 2]>::new());
    let mut before = None;
    loop {
        let filter = CaseFilter { before, ..Default::default() };
        let cases = app.list_cases(&signed.principal, filter, Some(100)).await.map_err(|e| Failure::from_app(e, t))?;
        for case in cases.iter().filter(|c| c.outcome.is_none()) {
            let overdue = usize::from(case.deadline.as_ref().is_some_and(|d| d.due < now));
            for (map, key) in [(&mut by_state, t.label(case.state)), (&mut by_stage, t.label(case.stage))] {
                let counts = map.entry(key).or_default();
                counts[0] += 1;
                counts[1] += overdue;
            }
        }
        match cases.last() {
            Some(last) if cases.len() == 100 => before = Some(last.id),
            _ => break,
        }
    }
    let table = |id, caption: &str, counts: BTreeMap<String, [usize; 2]>| Table {
        id,
        caption: t.get(caption),
        head: heads(t, &["admin-overview-group", "admin-overview-open", "admin-overview-overdue"]),
        rows: counts.into_iter().map(|(k, [open, overdue])| vec![k, open.to_string(), overdue.to_string()]).collect(),
        next: None,
    };
    let tables = vec![
        table("by-stage", "admin-overview-by-stage", by_stage),
        table("by-state", "admin-overview-by-state", by_state),
    ];
    Ok(page(&signed, "admin-overview-title", Vec::new(), tables))
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_text::Lang;

    /// Every setting of the policy has words on the policies page, in both languages (the trial
    /// read raw keys such as `due_in_hours` there); a new setting without them fails here.
    #[test]
    fn every_policy_setting_reads_in_both_languages() {
        let policy = redress_domain::Policy { rehearsal_hour_seconds: Some(60), ..Default::default() };
        let settings = serde_json::to_value(&policy).unwrap();
        let settings = settings.as_object().unwrap();
        assert!(settings.len() > 15, "{settings:?}");
        for lang in [Lang::Zh, Lang::En] {
            let t = Tr::new(lang);
            for (name, value) in settings {
                assert!(redress_text::has(lang, &format!("policy-{name}")), "{lang:?}: policy-{name}");
                let shown = policy_value(name, value, t);
                assert!(!shown.is_empty() && !shown.contains('['), "{name}: {shown}");
            }
        }
        let t = Tr::new(Lang::Zh);
        assert_eq!(policy_value("merchant_response_hours", &serde_json::json!(48), t), "48 小时");
        assert_eq!(policy_value("reminder_hours", &serde_json::json!([24, 2]), t), "提前 24、2 小时");
        assert_eq!(published(jiff::Timestamp::UNIX_EPOCH, t), "系统内置");
        assert_eq!(day_name("春节调休上班 Spring Festival make-up workday", t), "春节调休上班");
        assert_eq!(
            day_name("春节调休上班 Spring Festival make-up workday", Tr::new(Lang::En)),
            "Spring Festival make-up workday"
        );
        assert_eq!(day_name("元旦", Tr::new(Lang::En)), "元旦", "a name in one language only stays");
    }
}
