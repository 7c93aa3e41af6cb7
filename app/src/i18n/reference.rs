//! The forms for models and adoptions, in both languages: their words and every rule the
//! reference data can break, said to the official who typed it.
use super::{entry::sentence, Lang};
use crate::domain::reference::Fault;

pub struct ReferenceTexts {
    pub new_model: &'static str,
    pub edit_model: &'static str,
    pub new_adoption: &'static str,
    pub edit_adoption: &'static str,
    pub code: &'static str,
    pub code_hint: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    pub description: &'static str,
    pub launched_on: &'static str,
    pub date_hint: &'static str,
    pub unit_code: &'static str,
    pub unit_code_hint: &'static str,
    pub model: &'static str,
    pub started_on: &'static str,
    pub ended_on: &'static str,
    pub stage: &'static str,
    pub pilot: &'static str,
    pub scaled: &'static str,
    pub steered_by: &'static str,
    pub not_recorded: &'static str,
    pub province: &'static str,
    pub district: &'static str,
    pub reason: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub not_allowed: &'static str,
    pub not_found: &'static str,
    pub conflict: &'static str,
    pub stored_values: &'static str,
    pub edit: &'static str,
    pub changes_heading: &'static str,
    pub new_unit: &'static str,
    pub edit_unit: &'static str,
    pub level: &'static str,
    pub commune: &'static str,
    pub parent_code: &'static str,
    pub kind: &'static str,
    pub kind_hint: &'static str,
    pub valid_from: &'static str,
    pub valid_to: &'static str,
    pub successor_code: &'static str,
    pub successor_hint: &'static str,
    pub units_not_allowed: &'static str,
}

pub(super) const VI: ReferenceTexts = ReferenceTexts {
    new_model: "Thêm mô hình",
    edit_model: "Sửa mô hình",
    new_adoption: "Thêm nơi áp dụng",
    edit_adoption: "Sửa nơi áp dụng",
    code: "Mã",
    code_hint: "Chữ cái không dấu, chữ số, . _ - (tối đa 32 ký tự); không đổi được sau khi lưu.",
    name: "Tên",
    category: "Nhóm",
    description: "Mô tả",
    launched_on: "Ngày ra đời",
    date_hint: "Dạng năm-tháng-ngày, ví dụ 2024-03-01.",
    unit_code: "Mã đơn vị (xã hoặc huyện)",
    unit_code_hint: "Ví dụ 402-01; xem mã trên trang của xã.",
    model: "Mô hình",
    started_on: "Ngày bắt đầu áp dụng",
    ended_on: "Ngày kết thúc (nếu đã dừng)",
    stage: "Giai đoạn",
    pilot: "Thí điểm",
    scaled: "Nhân rộng",
    steered_by: "Cấp chỉ đạo",
    not_recorded: "Chưa ghi",
    province: "Cấp tỉnh",
    district: "Cấp huyện",
    reason: "Ghi chú thay đổi (không bắt buộc)",
    save: "Lưu",
    saved: "Đã lưu.",
    not_allowed: "Chỉ cán bộ tỉnh và quản trị viên được sửa mô hình và nơi áp dụng.",
    not_found: "Không tìm thấy bản ghi này; có thể đã bị thay đổi.",
    conflict: "Người khác đã sửa bản ghi này trong lúc bạn nhập. Giá trị hiện lưu ở dưới; hãy xem lại rồi lưu lần nữa.",
    stored_values: "Đang lưu",
    edit: "Sửa",
    changes_heading: "Lịch sử thay đổi",
    new_unit: "Thêm đơn vị",
    edit_unit: "Sửa đơn vị",
    level: "Cấp",
    commune: "Cấp xã",
    parent_code: "Mã đơn vị cấp trên",
    kind: "Loại",
    kind_hint: "Ví dụ: xã, phường, thị trấn, huyện.",
    valid_from: "Có hiệu lực từ",
    valid_to: "Hết hiệu lực sau ngày",
    successor_code: "Mã đơn vị kế thừa (khi sáp nhập)",
    successor_hint: "Đơn vị nhận lại xã này sau sắp xếp, ví dụ theo Nghị quyết năm 2025.",
    units_not_allowed: "Chỉ quản trị viên được sửa danh mục đơn vị.",
};

pub(super) const EN: ReferenceTexts = ReferenceTexts {
    new_model: "Add a model",
    edit_model: "Edit the model",
    new_adoption: "Add a unit running it",
    edit_adoption: "Edit the adoption",
    code: "Code",
    code_hint: "ASCII letters, digits, . _ - (at most 32); it cannot change once saved.",
    name: "Name",
    category: "Category",
    description: "Description",
    launched_on: "Launched on",
    date_hint: "Year-month-day, e.g. 2024-03-01.",
    unit_code: "Unit code (commune or district)",
    unit_code_hint: "E.g. 402-01; the commune's page shows its code.",
    model: "Model",
    started_on: "Started on",
    ended_on: "Ended on (if it stopped)",
    stage: "Stage",
    pilot: "Pilot",
    scaled: "Scaled",
    steered_by: "Steered by",
    not_recorded: "Not recorded",
    province: "Province",
    district: "District",
    reason: "Note on the change (optional)",
    save: "Save",
    saved: "Saved.",
    not_allowed: "Only provincial officials and admins edit models and adoptions.",
    not_found: "This record was not found; it may have changed.",
    conflict: "Someone else changed this record while you were typing. The stored values are below; check them and save again.",
    stored_values: "Stored",
    edit: "Edit",
    changes_heading: "Changes",
    new_unit: "Add a unit",
    edit_unit: "Edit the unit",
    level: "Level",
    commune: "Commune",
    parent_code: "Parent unit's code",
    kind: "Kind",
    kind_hint: "E.g. xã, phường, thị trấn, huyện.",
    valid_from: "Valid from",
    valid_to: "Valid until",
    successor_code: "Successor's code (after a merger)",
    successor_hint: "The unit that took this one over in a reorganisation.",
    units_not_allowed: "Only admins edit the list of units.",
};

/// A broken rule as a sentence for the official at the form; `column` says which field.
pub fn fault_text(lang: Lang, column: &str, fault: &Fault) -> String {
    if lang == Lang::En {
        return match fault {
            // The import's sentence tells a command-line user how to replace the row.
            Fault::Exists(what) => sentence(format!("{what} already exists; open it to edit it")),
            f => sentence(f.to_string()),
        };
    }
    match fault {
        Fault::Required => "Vui lòng nhập ô này.".into(),
        Fault::Code(_) => "Mã chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang (tối đa 32 ký tự).".into(),
        Fault::TooLong { max, got } => format!("Tối đa {max} ký tự (đang có {got})."),
        Fault::Formula(_) => "Không được bắt đầu bằng = + - @ hoặc dấu tab: bảng tính sẽ coi đó là công thức.".into(),
        Fault::NotADate(s) => format!("«{s}» không phải ngày dạng năm-tháng-ngày (ví dụ 2024-03-01)."),
        Fault::Before { date, other, .. } => format!("Ngày {date} sớm hơn ngày bắt đầu {other}."),
        Fault::Word(_) => match column {
            "stage" => "Giai đoạn là thí điểm (pilot) hoặc nhân rộng (scaled).".into(),
            "steered_by" => "Cấp chỉ đạo là tỉnh (province) hoặc huyện (district).".into(),
            _ => "Cấp là province, district hoặc commune.".into(),
        },
        Fault::ParentRequired => "Đơn vị dưới cấp tỉnh cần có đơn vị cấp trên.".into(),
        Fault::Fixed => "Không đổi được sau khi đã lưu.".into(),
        Fault::OwnParent => "Một đơn vị không thể là cấp trên của chính nó.".into(),
        Fault::Misplaced { level, parent, parent_level } => format!(
            "Một {} không thể trực thuộc một {} («{parent}»).",
            level_vi(*level),
            level_vi(*parent_level)
        ),
        Fault::UnknownUnit(c) => format!("Không có đơn vị «{c}»."),
        Fault::UnknownModel(c) => format!("Không có mô hình «{c}»."),
        Fault::ProvinceAdopts(c) => format!("«{c}» là cấp tỉnh; nơi áp dụng là một xã hoặc một huyện."),
        Fault::SurveysOutside(period) => {
            format!("Đơn vị đã có số liệu khảo sát kỳ {period}, nằm ngoài thời gian hiệu lực này.")
        }
        Fault::Exists(what) => match column {
            "code" if what.starts_with("unit") => "Đã có đơn vị với mã này; hãy mở đơn vị đó để sửa.".into(),
            "code" => "Đã có mô hình với mã này; hãy mở mô hình đó để sửa.".into(),
            _ => "Đơn vị này đã áp dụng mô hình từ ngày này; hãy mở bản ghi đó để sửa.".into(),
        },
    }
}

fn level_vi(level: crate::domain::UnitLevel) -> &'static str {
    match level {
        crate::domain::UnitLevel::Province => "tỉnh",
        crate::domain::UnitLevel::District => "huyện",
        crate::domain::UnitLevel::Commune => "xã",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_in_both_languages() {
        let f = Fault::Formula("must not begin with `=`: a spreadsheet would run it as a formula".into());
        assert_eq!(fault_text(Lang::En, "name", &f), "Must not begin with `=`: a spreadsheet would run it as a formula.");
        assert!(fault_text(Lang::Vi, "name", &f).contains("công thức"));
        let w = Fault::Word("must be one of pilot | scaled, got `x`".into());
        assert!(fault_text(Lang::Vi, "stage", &w).starts_with("Giai đoạn"));
        assert!(fault_text(Lang::Vi, "steered_by", &w).starts_with("Cấp chỉ đạo"));
        let e = Fault::Exists("model `NKV`".into());
        assert_eq!(fault_text(Lang::En, "code", &e), "Model `NKV` already exists; open it to edit it.");
    }
}
