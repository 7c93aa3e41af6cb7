//! UI language: Vietnamese by default, English a switch away, remembered in the `lang` cookie.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const LANG_COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    /// The language a `Cookie:` header asks for; Vietnamese when it names none.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Lang::from_code(v.trim()))
            .unwrap_or_default()
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

/// Every sentence of the UI, once per language.
pub struct Texts {
    pub app_title: &'static str,
    pub province_prefix: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_models: &'static str,
    pub nav_communes: &'static str,
    pub nav_survey: &'static str,
    pub nav_export: &'static str,
    pub switch_to_other: &'static str,
    pub home_heading: &'static str,
    pub home_intro: &'static str,
    pub count_units: &'static str,
    pub count_districts: &'static str,
    pub count_communes: &'static str,
    pub count_models: &'static str,
    pub count_adoptions: &'static str,
    pub count_ballots: &'static str,
    pub loading: &'static str,
    pub load_failed: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,
    pub period: &'static str,
    pub model: &'static str,
    pub all_models: &'static str,
    pub show: &'static str,
    pub district: &'static str,
    pub commune: &'static str,
    pub communes: &'static str,
    pub communes_adopting: &'static str,
    pub adoption_rate: &'static str,
    pub respondents: &'static str,
    pub satisfied: &'static str,
    pub satisfaction_rate: &'static str,
    pub ci_95: &'static str,
    pub adopting: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub dashboard_heading: &'static str,
    pub models_heading: &'static str,
    pub communes_heading: &'static str,
    pub choose_district: &'static str,
    pub survey_heading: &'static str,
    pub survey_body: &'static str,
    pub export_heading: &'static str,
    pub export_body: &'static str,
    pub format: &'static str,
    pub download: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub launched_on: &'static str,
    pub sites: &'static str,
    pub bad_period: &'static str,
    pub unknown_model: &'static str,
    pub unknown_district: &'static str,
    pub nothing_yet: &'static str,
}

pub static VI: Texts = Texts {
    app_title: "reformdash — Theo dõi mô hình cải cách hành chính",
    province_prefix: "Tỉnh",
    nav_dashboard: "Tổng quan",
    nav_models: "Mô hình",
    nav_communes: "Xã, phường",
    nav_survey: "Nhập phiếu khảo sát",
    nav_export: "Xuất dữ liệu",
    switch_to_other: "English",
    home_heading: "Mô hình cải cách hành chính",
    home_intro: "Theo dõi các mô hình cải cách hành chính, nơi áp dụng và mức độ hài lòng của người dân.",
    count_units: "Đơn vị hành chính",
    count_districts: "Huyện, thị xã, thành phố",
    count_communes: "Xã, phường, thị trấn",
    count_models: "Mô hình",
    count_adoptions: "Lượt áp dụng mô hình",
    count_ballots: "Phiếu khảo sát",
    loading: "Đang tải…",
    load_failed: "Không tải được dữ liệu. Vui lòng thử lại.",
    not_found_heading: "Không tìm thấy trang",
    not_found_body: "Trang bạn tìm không tồn tại hoặc đã được chuyển đi.",
    back_home: "Về trang chủ",
    period: "Kỳ (năm, quý hoặc tháng)",
    model: "Mô hình",
    all_models: "Tất cả mô hình",
    show: "Xem",
    district: "Huyện",
    commune: "Xã",
    communes: "Số xã",
    communes_adopting: "Số xã áp dụng",
    adoption_rate: "Tỷ lệ áp dụng (%)",
    respondents: "Số phiếu",
    satisfied: "Hài lòng",
    satisfaction_rate: "Mức độ hài lòng (%)",
    ci_95: "Khoảng tin cậy 95%",
    adopting: "Đang áp dụng",
    yes: "Có",
    no: "Không",
    dashboard_heading: "Tổng hợp theo huyện",
    models_heading: "Các mô hình",
    communes_heading: "Xã, phường, thị trấn theo huyện",
    choose_district: "Chọn huyện",
    survey_heading: "Nhập phiếu khảo sát",
    survey_body: "Công chức cấp xã nhập số phiếu khảo sát của xã mình sau khi đăng nhập. Trong khi chờ, số liệu được nạp bằng lệnh `reformdash import`.",
    export_heading: "Xuất dữ liệu",
    export_body: "Tải bảng tổng hợp theo huyện dưới dạng CSV, XLSX hoặc JSON.",
    format: "Định dạng",
    download: "Tải xuống",
    code: "Mã",
    name: "Tên",
    category: "Nhóm",
    launched_on: "Ngày bắt đầu",
    sites: "Số nơi áp dụng",
    bad_period: "Kỳ phải có dạng 2024, 2024-Q2 hoặc 2024-05.",
    unknown_model: "Không có mô hình này; hãy chọn trong danh sách.",
    unknown_district: "Không có huyện này; hãy chọn trong danh sách.",
    nothing_yet: "Chưa có dữ liệu.",
};

pub static EN: Texts = Texts {
    app_title: "reformdash — Administrative-reform models",
    province_prefix: "Province",
    nav_dashboard: "Dashboard",
    nav_models: "Models",
    nav_communes: "Communes",
    nav_survey: "Enter survey",
    nav_export: "Export",
    switch_to_other: "Tiếng Việt",
    home_heading: "Administrative-reform models",
    home_intro: "Track reform models, where they run and how satisfied citizens are.",
    count_units: "Administrative units",
    count_districts: "Districts, towns, cities",
    count_communes: "Communes, wards, townships",
    count_models: "Models",
    count_adoptions: "Model adoptions",
    count_ballots: "Survey ballots",
    loading: "Loading…",
    load_failed: "Could not load the data. Please try again.",
    not_found_heading: "Page not found",
    not_found_body: "The page you are looking for does not exist or has moved.",
    back_home: "Back to the home page",
    period: "Period (year, quarter or month)",
    model: "Model",
    all_models: "All models",
    show: "Show",
    district: "District",
    commune: "Commune",
    communes: "Communes",
    communes_adopting: "Communes adopting",
    adoption_rate: "Adoption rate (%)",
    respondents: "Ballots",
    satisfied: "Satisfied",
    satisfaction_rate: "Satisfaction rate (%)",
    ci_95: "95% interval",
    adopting: "Adopting",
    yes: "Yes",
    no: "No",
    dashboard_heading: "Summary by district",
    models_heading: "Models",
    communes_heading: "Communes by district",
    choose_district: "Choose a district",
    survey_heading: "Enter survey counts",
    survey_body: "Commune staff enter their own commune's survey counts after signing in. Until then, figures are loaded with `reformdash import`.",
    export_heading: "Export",
    export_body: "Download the district summary as CSV, XLSX or JSON.",
    format: "Format",
    download: "Download",
    code: "Code",
    name: "Name",
    category: "Category",
    launched_on: "Launched on",
    sites: "Sites",
    bad_period: "A period looks like 2024, 2024-Q2 or 2024-05.",
    unknown_model: "There is no such model; choose one from the list.",
    unknown_district: "There is no such district; choose one from the list.",
    nothing_yet: "No data yet.",
};

/// The language signal every page reads; provided once by `App`.
pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// The language the current request asked for: its cookie on the server, `document.cookie`
/// in the browser, so both sides render the same first frame.
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| {
                parts
                    .headers
                    .get(axum::http::header::COOKIE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        use wasm_bindgen::JsCast;
        document()
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()
            .and_then(|d| d.cookie().ok())
            .map(|c| Lang::from_cookie_header(&c))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Lang::default()
    }
}

/// Remember the choice in the browser without a round trip (the no-JS path is `POST /lang`).
#[cfg(feature = "hydrate")]
pub fn store_lang_cookie(lang: Lang) {
    use wasm_bindgen::JsCast;
    if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
        let _ = doc.set_cookie(&format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_selects_the_language() {
        assert_eq!(Lang::from_cookie_header(""), Lang::Vi);
        assert_eq!(Lang::from_cookie_header("lang=en"), Lang::En);
        assert_eq!(Lang::from_cookie_header("a=b; lang=en; c=d"), Lang::En);
        assert_eq!(Lang::from_cookie_header("lang=fr"), Lang::Vi);
        assert_eq!(Lang::from_cookie_header("xlang=en"), Lang::Vi);
    }
}
