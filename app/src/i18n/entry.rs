//! Sign-in and survey entry, in both languages: the form's words and every rule a survey
//! count can break, said to the person who typed it.
use super::Lang;
use crate::domain::survey::{Broken, SurveyField, Warning};

pub struct EntryTexts {
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_heading: &'static str,
    pub login_wrong: &'static str,
    pub login_throttled: &'static str,
    pub login_busy: &'static str,
    pub login_needed: &'static str,
    pub entry_heading: &'static str,
    pub unit: &'static str,
    pub model: &'static str,
    pub whole_service: &'static str,
    pub period: &'static str,
    pub period_hint: &'static str,
    pub respondents: &'static str,
    pub satisfied: &'static str,
    pub breakdown: &'static str,
    pub levels: [&'static str; 5],
    pub rate_now: &'static str,
    pub reason: &'static str,
    pub reason_hint: &'static str,
    pub reason_missing: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub editing: &'static str,
    pub new_entry: &'static str,
    pub warnings_heading: &'static str,
    pub keep_values: &'static str,
    pub conflict_heading: &'static str,
    pub conflict_body: &'static str,
    pub theirs: &'static str,
    pub yours: &'static str,
    pub edit_existing: &'static str,
    pub edit: &'static str,
    pub recent: &'static str,
    pub no_units: &'static str,
    pub problems_heading: &'static str,
    pub history_heading: &'static str,
    pub history_empty: &'static str,
    pub history_when: &'static str,
    pub history_who: &'static str,
    pub history_what: &'static str,
    pub history_from: &'static str,
    pub history_to: &'static str,
    pub history_reason: &'static str,
    pub delete_entry: &'static str,
    pub account_heading: &'static str,
    pub role: &'static str,
    pub change_password: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub again: &'static str,
    pub password_changed: &'static str,
    pub wrong_password: &'static str,
    pub password_short: &'static str,
    pub passwords_differ: &'static str,
    pub tokens_heading: &'static str,
    pub tokens_intro: &'static str,
    pub token_name: &'static str,
    pub create_token: &'static str,
    pub new_token_note: &'static str,
    pub token_bad_name: &'static str,
    pub token_exists: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub no_tokens: &'static str,
    pub created: &'static str,
    pub last_used: &'static str,
    pub token_last_day: &'static str,
    pub token_expiry_hint: &'static str,
    pub token_expired: &'static str,
    pub token_never_ends: &'static str,
    pub token_expiry_format: &'static str,
    pub token_expiry_past: &'static str,
    pub token_expiry_too_far: &'static str,
    pub users_heading: &'static str,
    pub users_forbidden: &'static str,
    pub add_user: &'static str,
    pub display_name: &'static str,
    pub unit_code: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub disabled: &'static str,
    pub active: &'static str,
    pub user_added: &'static str,
    pub user_changed: &'static str,
}

pub const VI: EntryTexts = EntryTexts {
    sign_in: "Đăng nhập",
    sign_out: "Đăng xuất",
    signed_in_as: "Đang đăng nhập:",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    login_heading: "Đăng nhập",
    login_wrong: "Sai tên đăng nhập hoặc mật khẩu.",
    login_throttled: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {n} phút.",
    login_busy: "Máy chủ đang bận kiểm tra nhiều lượt đăng nhập. Vui lòng thử lại sau giây lát.",
    login_needed: "Vui lòng đăng nhập để nhập số phiếu khảo sát của đơn vị mình.",
    entry_heading: "Nhập phiếu khảo sát",
    unit: "Đơn vị",
    model: "Mô hình",
    whole_service: "Toàn bộ dịch vụ của đơn vị",
    period: "Kỳ (tháng hoặc quý)",
    period_hint: "Ví dụ 2026-11 (tháng) hoặc 2026-Q4 (quý)",
    respondents: "Số phiếu thu về",
    satisfied: "Số phiếu hài lòng",
    breakdown: "Chi tiết năm mức độ (không bắt buộc)",
    levels: ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"],
    rate_now: "Tỷ lệ hài lòng:",
    reason: "Lý do",
    reason_hint: "Bắt buộc khi sửa số liệu của đơn vị khác hoặc giữ số liệu có cảnh báo",
    reason_missing: "Vui lòng ghi lý do.",
    save: "Lưu",
    saved: "Đã lưu",
    editing: "Đang sửa bản ghi phiên bản",
    new_entry: "Nhập bản ghi mới",
    warnings_heading: "Vui lòng kiểm tra lại",
    keep_values: "Tôi đã kiểm tra, giữ nguyên số liệu này",
    conflict_heading: "Có người vừa lưu bản ghi này",
    conflict_body: "Số liệu của bạn chưa được lưu. Hãy xem số liệu mới nhất rồi lưu lại nếu vẫn cần sửa.",
    theirs: "Số liệu đã lưu",
    yours: "Số liệu của bạn",
    edit_existing: "Sửa bản ghi đã có",
    edit: "Sửa",
    recent: "Các bản ghi gần đây",
    no_units: "Tài khoản này không được nhập số liệu cho đơn vị nào.",
    problems_heading: "Chưa lưu: vui lòng sửa các ô được đánh dấu.",
    history_heading: "Lịch sử thay đổi",
    history_empty: "Chưa có thay đổi nào được ghi lại.",
    history_when: "Thời điểm",
    history_who: "Người thực hiện",
    history_what: "Bản ghi",
    history_from: "Trước",
    history_to: "Sau",
    history_reason: "Lý do",
    delete_entry: "Xóa bản ghi này (ghi rõ lý do)",
    account_heading: "Tài khoản",
    role: "Vai trò",
    change_password: "Đổi mật khẩu",
    current_password: "Mật khẩu hiện tại",
    new_password: "Mật khẩu mới (ít nhất 10 ký tự)",
    again: "Nhập lại mật khẩu mới",
    password_changed: "Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.",
    wrong_password: "Mật khẩu hiện tại không đúng.",
    password_short: "Mật khẩu cần ít nhất 10 ký tự.",
    passwords_differ: "Hai lần nhập mật khẩu mới không giống nhau.",
    tokens_heading: "Mã truy cập API",
    tokens_intro: "Phần mềm một cửa gửi số liệu qua POST /api/v1/surveys với tiêu đề Authorization: Bearer và mã này.",
    token_name: "Tên mã (ví dụ: phần mềm một cửa)",
    create_token: "Tạo mã",
    new_token_note: "Mã mới — chỉ hiển thị lần này, hãy sao chép ngay:",
    token_bad_name: "Tên mã từ 1 đến 64 ký tự và không bắt đầu bằng = + - @.",
    token_exists: "Đã có mã tên «{name}».",
    revoke: "Thu hồi",
    revoked: "Đã thu hồi mã",
    no_tokens: "Chưa có mã nào.",
    created: "Tạo lúc",
    last_used: "Dùng lần cuối",
    token_last_day: "Dùng đến hết ngày",
    token_expiry_hint: "Để trống nếu mã dùng đến khi thu hồi.",
    token_expired: "đã hết hạn",
    token_never_ends: "đến khi thu hồi",
    token_expiry_format: "Ngày hết hạn viết dạng NNNN-TT-NN (ví dụ 2027-06-30).",
    token_expiry_past: "Ngày hết hạn {date} đã qua.",
    token_expiry_too_far: "Mã dùng được tối đa 10 năm.",
    users_heading: "Người dùng",
    users_forbidden: "Chỉ quản trị viên được quản lý người dùng.",
    add_user: "Thêm người dùng",
    display_name: "Tên hiển thị",
    unit_code: "Mã đơn vị (với công chức)",
    disable: "Khóa",
    enable: "Mở khóa",
    disabled: "Đã khóa",
    active: "Đang hoạt động",
    user_added: "Đã thêm người dùng",
    user_changed: "Đã cập nhật người dùng",
};

pub const EN: EntryTexts = EntryTexts {
    sign_in: "Sign in",
    sign_out: "Sign out",
    signed_in_as: "Signed in:",
    username: "Username",
    password: "Password",
    login_heading: "Sign in",
    login_wrong: "Wrong username or password.",
    login_throttled: "Too many failed attempts. Please try again in {n} minute(s).",
    login_busy: "The server is checking many sign-ins at once. Please try again in a moment.",
    login_needed: "Please sign in to enter your unit's survey counts.",
    entry_heading: "Enter survey counts",
    unit: "Unit",
    model: "Model",
    whole_service: "The unit's service as a whole",
    period: "Period (month or quarter)",
    period_hint: "For example 2026-11 (a month) or 2026-Q4 (a quarter)",
    respondents: "Ballots returned",
    satisfied: "Satisfied",
    breakdown: "The five levels (optional)",
    levels: ["Very satisfied", "Fairly satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"],
    rate_now: "Satisfaction rate:",
    reason: "Reason",
    reason_hint: "Required to correct another unit's figures or to keep figures with a warning",
    reason_missing: "Please give a reason.",
    save: "Save",
    saved: "Saved",
    editing: "Editing the entry, version",
    new_entry: "Enter a new one",
    warnings_heading: "Please check again",
    keep_values: "I have checked: keep these figures",
    conflict_heading: "Someone has just saved this entry",
    conflict_body: "Your figures were not saved. Look at the latest figures and save again if they still need changing.",
    theirs: "Saved figures",
    yours: "Your figures",
    edit_existing: "Edit the existing entry",
    edit: "Edit",
    recent: "Recent entries",
    no_units: "This account may not enter figures for any unit.",
    problems_heading: "Not saved: please correct the marked fields.",
    history_heading: "History of changes",
    history_empty: "No change recorded yet.",
    history_when: "When",
    history_who: "Who",
    history_what: "Entry",
    history_from: "Before",
    history_to: "After",
    history_reason: "Reason",
    delete_entry: "Delete this entry (give the reason)",
    account_heading: "Account",
    role: "Role",
    change_password: "Change password",
    current_password: "Current password",
    new_password: "New password (at least 10 characters)",
    again: "New password again",
    password_changed: "Password changed. Your other sessions have ended.",
    wrong_password: "The current password is wrong.",
    password_short: "A password needs at least 10 characters.",
    passwords_differ: "The two new passwords differ.",
    tokens_heading: "API tokens",
    tokens_intro: "One-stop-desk software sends figures to POST /api/v1/surveys with Authorization: Bearer and this token.",
    token_name: "Token name (e.g. one-stop desk)",
    create_token: "Create token",
    new_token_note: "New token — shown only now, copy it:",
    token_bad_name: "A token name is 1 to 64 characters and does not begin with = + - @.",
    token_exists: "There is a token named «{name}» already.",
    revoke: "Revoke",
    revoked: "Revoked the token",
    no_tokens: "No token yet.",
    created: "Created",
    last_used: "Last used",
    token_last_day: "Works through",
    token_expiry_hint: "Leave blank for a token that works until revoked.",
    token_expired: "expired",
    token_never_ends: "until revoked",
    token_expiry_format: "Write the last day as YYYY-MM-DD (e.g. 2027-06-30).",
    token_expiry_past: "The last day {date} has passed.",
    token_expiry_too_far: "A token lives at most 10 years.",
    users_heading: "Users",
    users_forbidden: "Only admins manage users.",
    add_user: "Add a user",
    display_name: "Display name",
    unit_code: "Unit code (for staff)",
    disable: "Disable",
    enable: "Enable",
    disabled: "Disabled",
    active: "Active",
    user_added: "Added the user",
    user_changed: "Updated the user",
};

/// A broken rule as a sentence for the person at the form.
pub fn broken_rule(lang: Lang, broken: &Broken) -> String {
    if lang == Lang::En {
        return sentence(broken.to_string());
    }
    match broken {
        Broken::Required => "Vui lòng nhập ô này.".into(),
        Broken::Code(_) => "Mã chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang (tối đa 32 ký tự).".into(),
        Broken::NotANumber(s) => format!("«{s}» không phải là một số nguyên."),
        Broken::TooFewRespondents(n) => format!("Số phiếu phải từ 1 trở lên (đang là {n})."),
        Broken::Negative(n) => format!("Không được là số âm (đang là {n})."),
        Broken::MoreThanRespondents { satisfied, respondents } => {
            format!("Số phiếu hài lòng ({satisfied}) lớn hơn số phiếu thu về ({respondents}).")
        }
        Broken::Period(_) => "Kỳ là một tháng (2026-11) hoặc một quý (2026-Q4).".into(),
        Broken::PartialBreakdown => "Nhập đủ cả năm mức độ, hoặc để trống cả năm.".into(),
        Broken::BreakdownTotal { total, respondents } => {
            format!("Năm mức độ cộng lại được {total}, khác số phiếu thu về ({respondents}).")
        }
        Broken::BreakdownSatisfied { total, satisfied } => {
            format!("Rất hài lòng + hài lòng = {total}, khác số phiếu hài lòng ({satisfied}).")
        }
        Broken::FuturePeriod(p) => format!("Kỳ {p} chưa bắt đầu."),
        Broken::UnknownUnit(c) => format!("Không có đơn vị «{c}»."),
        Broken::UnknownModel(c) => format!("Không có mô hình «{c}»."),
        Broken::UnitNotValid { unit, period } => format!("Đơn vị «{unit}» không tồn tại trong kỳ {period}."),
        Broken::Overlap { period, other, .. } => format!(
            "Kỳ {period} trùng thời gian với kỳ {other} đã nhập cho cùng đơn vị và mô hình: số phiếu sẽ bị tính hai lần."
        ),
        Broken::Exists { .. } => "Đã có bản ghi cho đơn vị, mô hình và kỳ này với số liệu khác.".into(),
        Broken::Duplicate { line, .. } => format!("Trùng với dòng {line}."),
        Broken::NotYourUnit(c) => format!("Tài khoản này không được nhập số liệu cho đơn vị «{c}»."),
    }
}

/// The English sentence: the import's and the API's own, with a capital and a full stop.
pub(super) fn sentence(s: String) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => s,
    }
}

pub fn warning_text(lang: Lang, w: &Warning) -> String {
    match (lang, w) {
        (Lang::En, w) => sentence(w.to_string()),
        (Lang::Vi, Warning::ModelNotRun(m)) => format!("Đơn vị không áp dụng mô hình «{m}» trong kỳ này."),
        (Lang::Vi, Warning::UnusualRate { rate, mean, .. }) => format!(
            "Tỷ lệ hài lòng {} khác xa mức thường thấy của đơn vị ({}).",
            percent_vi(*rate),
            percent_vi(*mean)
        ),
        (Lang::Vi, Warning::UnusualRespondents { respondents, usual }) => {
            format!("{respondents} phiếu là gấp mười lần trở lên so với thường lệ của đơn vị ({usual} phiếu).")
        }
    }
}

fn percent_vi(p: f64) -> String {
    format!("{p:.1}%").replace('.', ",")
}

/// The label of a field, for the list of problems at the top of the form.
pub fn field_label(lang: Lang, field: SurveyField) -> &'static str {
    let t = lang.entry();
    match field {
        SurveyField::UnitCode => t.unit,
        SurveyField::ModelCode => t.model,
        SurveyField::Period => t.period,
        SurveyField::Respondents => t.respondents,
        SurveyField::Satisfied => t.satisfied,
        SurveyField::VerySatisfied => t.levels[0],
        SurveyField::FairlySatisfied => t.levels[1],
        SurveyField::Neutral => t.levels[2],
        SurveyField::Dissatisfied => t.levels[3],
        SurveyField::VeryDissatisfied => t.levels[4],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_reads_in_both_languages() {
        let b = Broken::MoreThanRespondents { satisfied: 11, respondents: 10 };
        assert_eq!(broken_rule(Lang::En, &b), "11 is more than respondents (10).");
        assert_eq!(broken_rule(Lang::Vi, &b), "Số phiếu hài lòng (11) lớn hơn số phiếu thu về (10).");
        assert_eq!(broken_rule(Lang::Vi, &Broken::FuturePeriod("2027-01".parse().unwrap())), "Kỳ 2027-01 chưa bắt đầu.");
        let w = Warning::UnusualRespondents { respondents: 1000, usual: 100 };
        assert!(warning_text(Lang::Vi, &w).starts_with("1000 phiếu"));
        assert!(warning_text(Lang::En, &w).starts_with("1000 respondents"));
    }
}

/// What went wrong in an account form, for the person at it.
pub fn account_problem(lang: Lang, p: &crate::page_data::AccountProblem) -> String {
    use crate::page_data::AccountProblem as P;
    let t = lang.entry();
    match p {
        P::WrongPassword => t.wrong_password.into(),
        P::Throttled(n) => t.login_throttled.replace("{n}", &n.to_string()),
        P::PasswordTooShort => t.password_short.into(),
        P::PasswordsDiffer => t.passwords_differ.into(),
        P::TokenName => t.token_bad_name.into(),
        P::TokenExists(name) => t.token_exists.replace("{name}", name),
        P::TokenExpiry(why) => {
            use crate::domain::access::ExpiryError as E;
            match why {
                E::Format(_) => t.token_expiry_format.into(),
                E::Past(day) => t.token_expiry_past.replace("{date}", &day.to_string()),
                E::TooFar => t.token_expiry_too_far.into(),
            }
        }
    }
}

/// Who made a change: the sign-in name when the reader may see it, else the role.
pub fn writer(lang: Lang, name: &str, role: Option<crate::domain::access::Role>) -> String {
    use crate::domain::access::Role;
    if !name.is_empty() {
        return name.to_string();
    }
    let vi = lang == Lang::Vi;
    match role {
        Some(Role::Admin) => if vi { "Quản trị viên" } else { "Administrator" },
        Some(Role::Official) => if vi { "Cán bộ tỉnh" } else { "Provincial official" },
        Some(Role::Staff) => if vi { "Cán bộ xã" } else { "Commune staff" },
        None => if vi { "Hệ thống" } else { "System" },
    }
    .to_string()
}

/// The form field at fault and the sentence for an account that could not be added or changed.
pub fn user_problem(lang: Lang, p: &crate::page_data::UserProblem) -> (&'static str, String) {
    use crate::page_data::UserProblem as P;
    let vi = lang == Lang::Vi;
    match p {
        P::Username(why) if vi => ("username", format!("Tên đăng nhập chỉ gồm chữ cái không dấu, chữ số, . _ - (tối đa 32 ký tự). ({why})")),
        P::Username(why) => ("username", format!("Username: {why}.")),
        P::DisplayName(why) if vi => ("display_name", format!("Tên hiển thị không hợp lệ ({why}).")),
        P::DisplayName(why) => ("display_name", format!("Display name: {why}.")),
        P::Exists(u) if vi => ("username", format!("Đã có người dùng «{u}».")),
        P::Exists(u) => ("username", format!("A user named «{u}» exists already.")),
        P::UnitRequired if vi => ("unit_code", "Công chức cần có mã đơn vị.".into()),
        P::UnitRequired => ("unit_code", "A staff member needs a unit code.".into()),
        P::UnitNotAllowed if vi => ("unit_code", "Chỉ công chức mới gắn với một đơn vị.".into()),
        P::UnitNotAllowed => ("unit_code", "Only staff are bound to a unit.".into()),
        P::UnknownUnit(c) if vi => ("unit_code", format!("Không có đơn vị «{c}».")),
        P::UnknownUnit(c) => ("unit_code", format!("Unknown unit «{c}».")),
        P::PasswordTooShort => ("password", lang.entry().password_short.into()),
        P::UnknownUser(u) if vi => ("username", format!("Không có người dùng «{u}».")),
        P::UnknownUser(u) => ("username", format!("No user named «{u}».")),
        P::BadRole if vi => ("role", "Vai trò là admin, official hoặc staff.".into()),
        P::BadRole => ("role", "The role is admin, official or staff.".into()),
    }
}
