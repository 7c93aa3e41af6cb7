//! UI language: Vietnamese by default, English a switch away, remembered in the `lang` cookie.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

mod entry;
mod numbers;
mod reference;
pub use entry::{account_problem, broken_rule, field_label, user_problem, warning_text, writer, EntryTexts};
pub use numbers::{show_count, show_date, show_interval, show_percent};
pub use reference::{fault_text, ReferenceTexts};

pub const LANG_COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// The sentences of sign-in and entry.
    pub fn entry(self) -> &'static EntryTexts {
        match self {
            Lang::Vi => &entry::VI,
            Lang::En => &entry::EN,
        }
    }

    /// The words of the forms for models and adoptions.
    pub fn reference(self) -> &'static ReferenceTexts {
        match self {
            Lang::Vi => &reference::VI,
            Lang::En => &reference::EN,
        }
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
    pub choose_commune: &'static str,
    pub no_commune: &'static str,
    pub unknown_commune: &'static str,
    pub matrix_heading_models: &'static str,
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
    pub adopters: &'static str,
    pub adoption_over_time: &'static str,
    pub after_adoption: &'static str,
    pub ballots_unit: &'static str,
    pub before_2025: &'static str,
    pub before_adoption: &'static str,
    pub card_ballots: &'static str,
    pub card_communes_running: &'static str,
    pub card_reporting: &'static str,
    pub card_satisfaction: &'static str,
    pub change_points: &'static str,
    pub chart_adoption_communes: &'static str,
    pub chart_adoption_provinces: &'static str,
    pub chart_satisfaction_provinces: &'static str,
    pub province: &'static str,
    pub choose_province: &'static str,
    pub whole_country: &'static str,
    pub unknown_province: &'static str,
    pub country_note: &'static str,
    pub chart_adoption_curve: &'static str,
    pub chart_adoption_districts: &'static str,
    pub chart_no_data: &'static str,
    pub chart_satisfaction_communes: &'static str,
    pub chart_satisfaction_districts: &'static str,
    pub chart_trend: &'static str,
    pub commune_level_note: &'static str,
    pub completeness_heading: &'static str,
    pub control_change: &'static str,
    pub did: &'static str,
    pub download_chart: &'static str,
    pub effectiveness_heading: &'static str,
    pub effectiveness_note: &'static str,
    pub fewer_than: &'static str,
    pub headline: &'static str,
    pub in_database: &'static str,
    pub matrix_heading: &'static str,
    pub missing: &'static str,
    pub nav_completeness: &'static str,
    pub no_district: &'static str,
    pub of_communes: &'static str,
    pub period_short: &'static str,
    pub reporting: &'static str,
    pub reporting_rate: &'static str,
    pub search_button: &'static str,
    pub search_heading: &'static str,
    pub search_label: &'static str,
    pub search_nothing: &'static str,
    pub search_placeholder: &'static str,
    pub since: &'static str,
    pub sites_all: &'static str,
    pub stage: &'static str,
    pub stage_pilot: &'static str,
    pub stage_scaled: &'static str,
    pub steered_by: &'static str,
    pub steered_district: &'static str,
    pub steered_province: &'static str,
    pub too_few_ballots: &'static str,
    pub too_few_ballots_note: &'static str,
    pub chart_funnel: &'static str,
    pub funnel_ballots: &'static str,
    pub funnel_centre: &'static str,
    pub funnel_limit_95: &'static str,
    pub funnel_limit_998: &'static str,
    pub funnel_hollow_note: &'static str,
    pub funnel_below: &'static str,
    pub funnel_above: &'static str,
    pub funnel_explained: &'static str,
    pub funnel_none: &'static str,
    pub pages_label: &'static str,
    pub chart_adoption_models: &'static str,
    pub chart_models_per_commune: &'static str,
    pub models_count: &'static str,
    pub communes_unit: &'static str,
    pub show_all: &'static str,
    pub show_table: &'static str,
    pub more_units: &'static str,
    pub rows_word: &'static str,
    pub show_by_page: &'static str,
    pub unit: &'static str,
    pub where_it_runs: &'static str,
    pub after_2025: &'static str,
    pub before_2025_districts: &'static str,
    pub belongs_to: &'static str,
    pub formed_from: &'static str,
    pub merged_into: &'static str,
    pub models_running: &'static str,
    pub none_missing: &'static str,
    pub not_reported_months: &'static str,
    pub runs_no_model: &'static str,
    pub survey_history: &'static str,
    pub valid_from: &'static str,
    pub valid_until: &'static str,
    pub printed_on: &'static str,
    pub measure: &'static str,
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
    dashboard_heading: "Tổng quan cải cách hành chính",
    models_heading: "Các mô hình",
    communes_heading: "Xã, phường, thị trấn theo huyện",
    choose_district: "Chọn huyện",
    choose_commune: "Chọn xã, phường",
    no_commune: "(Không chọn xã, phường)",
    unknown_commune: "Không có xã, phường này; hãy chọn trong danh sách.",
    matrix_heading_models: "Số xã, phường áp dụng từng mô hình",
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
    adopters: "Số xã áp dụng có số liệu",
    adoption_over_time: "Quá trình áp dụng",
    after_adoption: "12 tháng sau khi áp dụng",
    ballots_unit: "phiếu",
    before_2025: "trước 01/7/2025",
    before_adoption: "12 tháng trước khi áp dụng",
    card_ballots: "Phiếu khảo sát trong kỳ",
    card_communes_running: "Xã đang áp dụng ít nhất một mô hình",
    card_reporting: "Tỷ lệ xã đã báo cáo",
    card_satisfaction: "Mức độ hài lòng",
    change_points: "Thay đổi (điểm phần trăm)",
    chart_adoption_communes: "Tỷ lệ áp dụng mô hình theo xã, phường (%)",
    chart_adoption_provinces: "Tỷ lệ áp dụng mô hình theo tỉnh (%)",
    chart_satisfaction_provinces: "Mức độ hài lòng theo tỉnh, khoảng tin cậy 95% (%)",
    province: "Tỉnh",
    choose_province: "Tỉnh",
    whole_country: "Cả nước",
    unknown_province: "Không có tỉnh này; hãy chọn trong danh sách.",
    country_note: "Số liệu cả nước, so sánh theo tỉnh. Chọn một tỉnh để xem các huyện (từ 01/7/2025: các xã, phường) của tỉnh.",
    chart_adoption_curve: "Số đơn vị áp dụng vào cuối mỗi năm",
    chart_adoption_districts: "Tỷ lệ xã áp dụng mô hình theo huyện (%)",
    chart_no_data: "Không có số liệu cho lựa chọn này.",
    chart_satisfaction_communes: "Mức độ hài lòng theo xã, phường, khoảng tin cậy 95% (%)",
    chart_satisfaction_districts: "Mức độ hài lòng theo huyện, khoảng tin cậy 95% (%)",
    chart_trend: "Mức độ hài lòng qua các kỳ (%)",
    commune_level_note: "Từ 01/7/2025 chính quyền địa phương có hai cấp: so sánh các xã, phường trực thuộc tỉnh.",
    completeness_heading: "Tình hình báo cáo",
    control_change: "Thay đổi ở các xã so sánh (điểm)",
    did: "Chênh lệch của thay đổi (điểm)",
    download_chart: "Tải biểu đồ:",
    effectiveness_heading: "Hiệu quả của mô hình",
    effectiveness_note: "Mức độ hài lòng với dịch vụ chung của các xã trong 12 tháng trước và sau khi áp dụng, so với các xã cùng huyện chưa áp dụng. Đây là mối liên hệ theo thời gian ở cùng các xã, không phải bằng chứng rằng mô hình gây ra thay đổi.",
    fewer_than: "dưới",
    headline: "Số liệu chính",
    in_database: "Cơ sở dữ liệu:",
    matrix_heading: "Số xã áp dụng theo huyện và mô hình",
    missing: "Chưa báo cáo",
    nav_completeness: "Báo cáo",
    no_district: "(Không chọn huyện)",
    of_communes: "xã",
    period_short: "Kỳ",
    reporting: "Đã báo cáo",
    reporting_rate: "Tỷ lệ báo cáo (%)",
    search_button: "Tìm",
    search_heading: "Tìm kiếm",
    search_label: "Tìm đơn vị hành chính hoặc mô hình",
    search_nothing: "Không tìm thấy kết quả nào.",
    search_placeholder: "Tìm xã, phường, mô hình…",
    since: "Từ ngày",
    sites_all: "Tất cả",
    stage: "Giai đoạn",
    stage_pilot: "Thí điểm",
    stage_scaled: "Nhân rộng",
    steered_by: "Chỉ đạo",
    steered_district: "Cấp huyện",
    steered_province: "Cấp tỉnh",
    too_few_ballots: "Quá ít phiếu để xếp hạng",
    too_few_ballots_note: "Điểm rỗng: dưới 30 phiếu, không xếp hạng",
    chart_funnel: "Mức độ hài lòng theo số phiếu: đơn vị nằm ngoài giới hạn 99,8% khác biệt không do ngẫu nhiên (%)",
    funnel_ballots: "Số phiếu",
    funnel_centre: "Chung",
    funnel_limit_95: "Giới hạn 95%",
    funnel_limit_998: "Giới hạn 99,8%",
    funnel_hollow_note: "Điểm rỗng: dưới 30 phiếu",
    funnel_none: "Không có đơn vị nào.",
    pages_label: "Trang",
    chart_adoption_models: "Tỷ lệ xã, phường áp dụng từng mô hình (%)",
    chart_models_per_commune: "Số mô hình mỗi xã, phường áp dụng (% số xã, phường)",
    models_count: "{n} mô hình",
    communes_unit: "xã",
    show_all: "Xem tất cả",
    show_table: "Xem bảng",
    more_units: "Xem thêm {n} đơn vị",
    rows_word: "dòng",
    show_by_page: "Xem theo trang",
    funnel_below: "Thấp hơn mức ngẫu nhiên có thể giải thích",
    funnel_above: "Cao hơn mức ngẫu nhiên có thể giải thích",
    funnel_explained: "Đơn vị ít phiếu dao động nhiều hơn chỉ vì may rủi, nên vùng cho phép (hình phễu) rộng ở bên trái và hẹp dần khi số phiếu tăng. Đơn vị nằm ngoài giới hạn 99,8% khác mức chung của toàn bộ nhiều hơn mức may rủi có thể giải thích: nên xem xét trước. Danh sách xếp đơn vị xa giới hạn nhất lên đầu; biểu đồ ghi tên {n} đơn vị xa nhất mỗi phía.",
    unit: "Đơn vị",
    where_it_runs: "Nơi áp dụng",
    after_2025: "Từ 01/7/2025: xã, phường trực thuộc tỉnh",
    before_2025_districts: "Đến 30/6/2025: theo huyện, thị xã, thành phố",
    belongs_to: "Thuộc",
    formed_from: "Được thành lập từ:",
    merged_into: "Từ 01/7/2025 được sáp nhập vào",
    models_running: "Mô hình đang áp dụng",
    none_missing: "Không có tháng nào thiếu báo cáo.",
    not_reported_months: "Các tháng chưa báo cáo",
    runs_no_model: "Chưa áp dụng mô hình nào.",
    survey_history: "Kết quả khảo sát qua các kỳ",
    valid_from: "Thành lập từ",
    valid_until: "Hoạt động đến",
    printed_on: "In ngày",
    measure: "Chỉ tiêu",
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
    dashboard_heading: "Administrative reform at a glance",
    models_heading: "Models",
    communes_heading: "Communes by district",
    choose_district: "Choose a district",
    choose_commune: "Choose a commune",
    no_commune: "(No commune)",
    unknown_commune: "There is no such commune; choose one from the list.",
    matrix_heading_models: "Communes running each model",
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
    adopters: "Adopting communes with data",
    adoption_over_time: "Adoption over time",
    after_adoption: "12 months after adoption",
    ballots_unit: "ballots",
    before_2025: "before 1 July 2025",
    before_adoption: "12 months before adoption",
    card_ballots: "Survey ballots in the period",
    card_communes_running: "Communes running at least one model",
    card_reporting: "Communes that reported",
    card_satisfaction: "Satisfaction",
    change_points: "Change (percentage points)",
    chart_adoption_communes: "Adoption rate by commune (%)",
    chart_adoption_provinces: "Adoption rate by province (%)",
    chart_satisfaction_provinces: "Satisfaction by province, with 95% interval (%)",
    province: "Province",
    choose_province: "Province",
    whole_country: "Whole country",
    unknown_province: "There is no such province; choose one from the list.",
    country_note: "Figures for the whole country, compared by province. Choose a province to see its districts (from 1 July 2025: its communes and wards).",
    chart_adoption_curve: "Units running the model at the end of each year",
    chart_adoption_districts: "Share of communes running the model, by district (%)",
    chart_no_data: "No data for this selection.",
    chart_satisfaction_communes: "Satisfaction by commune, with 95% interval (%)",
    chart_satisfaction_districts: "Satisfaction by district, with 95% interval (%)",
    chart_trend: "Satisfaction over the periods (%)",
    commune_level_note: "From 1 July 2025 local government has two levels: the dashboard compares the communes and wards directly under the province.",
    completeness_heading: "Reporting completeness",
    control_change: "Change in comparison communes (points)",
    did: "Difference in differences (points)",
    download_chart: "Download the chart:",
    effectiveness_heading: "Effectiveness",
    effectiveness_note: "Satisfaction with the communes' service as a whole in the 12 months before and after they adopted the model, against communes of the same district that had not. This is an association in the same communes over time, not proof that the model caused the change.",
    fewer_than: "fewer than",
    headline: "Headline figures",
    in_database: "In the database:",
    matrix_heading: "Communes running each model, by district",
    missing: "Not reported",
    nav_completeness: "Reporting",
    no_district: "(No district)",
    of_communes: "communes",
    period_short: "Period",
    reporting: "Reported",
    reporting_rate: "Reporting rate (%)",
    search_button: "Search",
    search_heading: "Search",
    search_label: "Find a unit or a model",
    search_nothing: "Nothing found.",
    search_placeholder: "Commune, ward, model…",
    since: "Since",
    sites_all: "All",
    stage: "Stage",
    stage_pilot: "Pilot",
    stage_scaled: "Scaled out",
    steered_by: "Steered by",
    steered_district: "District",
    steered_province: "Province",
    too_few_ballots: "Too few ballots to rank",
    too_few_ballots_note: "Hollow: fewer than 30 ballots, not ranked",
    chart_funnel: "Satisfaction against ballots: units outside the 99.8% limits differ by more than chance (%)",
    funnel_ballots: "Ballots",
    funnel_centre: "Overall",
    funnel_limit_95: "95% limits",
    funnel_limit_998: "99.8% limits",
    funnel_hollow_note: "Hollow: fewer than 30 ballots",
    funnel_none: "None.",
    pages_label: "Pages",
    chart_adoption_models: "Share of communes running each model (%)",
    chart_models_per_commune: "How many models each commune runs (% of communes)",
    models_count: "{n} models",
    communes_unit: "communes",
    show_all: "Show all",
    show_table: "Show the table",
    more_units: "{n} more",
    rows_word: "rows",
    show_by_page: "Show by page",
    funnel_below: "Below what chance explains",
    funnel_above: "Above what chance explains",
    funnel_explained: "A unit with few ballots swings more by chance alone, so the allowed band (the funnel) is wide on the left and narrows as ballots grow. A unit outside the 99.8% limits differs from the overall rate by more than chance can explain: look at it first. The lists put the furthest outside first; the chart names the {n} furthest on each side.",
    unit: "Unit",
    where_it_runs: "Where it runs",
    after_2025: "From 1 July 2025: communes and wards under the province",
    before_2025_districts: "Until 30 June 2025: by district",
    belongs_to: "Part of",
    formed_from: "Formed from:",
    merged_into: "From 1 July 2025 merged into",
    models_running: "Models running",
    none_missing: "No month without a report.",
    not_reported_months: "Months without a report",
    runs_no_model: "Runs no model.",
    survey_history: "Survey history",
    valid_from: "Since",
    valid_until: "Until",
    printed_on: "Printed on",
    measure: "Measure",
};

/// The reader's language for the page being rendered; provided once by `App`.
pub fn use_lang() -> PageLang {
    expect_context::<PageLang>()
}

/// The language of the page being rendered: fixed for the page (pages render on the server
/// only, and a switch brings a new page), so a plain value rather than a signal. A signal
/// lives in the request's reactive arena, and a view resolved after that arena was dropped
/// (a client gone while its page's data came back) panicked reading it: "Tried to access a
/// reactive value that has already been disposed".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLang(pub Lang);

impl PageLang {
    pub fn get(self) -> Lang {
        self.0
    }
    pub fn get_untracked(self) -> Lang {
        self.0
    }
}

/// The language the current request asked for, by its cookie. (Pages render on the server
/// only; an island gets its language as a prop.)
#[cfg(feature = "ssr")]
pub fn initial_lang() -> Lang {
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
