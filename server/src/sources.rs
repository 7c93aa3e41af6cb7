//! Reading import input: a folder of CSV files or one XLSX workbook with the same four
//! sheets, into the format-free tables that `app::ssr::import` checks and writes.
use app::ssr::import::{ImportSet, Problem, Table};
use calamine::{Data, Reader};
use std::path::Path;

pub const FILE_NAMES: [&str; 4] = ["units", "models", "adoptions", "surveys"];

/// Reads whichever of the four files `source` holds. What cannot be read at all (a bad
/// path, broken CSV, a row of the wrong width) comes back as problems in the set, so that
/// the run reports them beside the row-level ones and writes nothing.
pub fn read(source: &Path) -> Result<ImportSet, String> {
    if source.is_dir() {
        read_dir(source)
    } else if source.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        read_xlsx(source)
    } else if source.exists() {
        Err(format!("{}: not a folder of CSV files or an .xlsx workbook", source.display()))
    } else {
        Err(format!("{}: no such file or folder", source.display()))
    }
}

fn place(set: &mut ImportSet, name: &str, table: Table) {
    match name {
        "units" => set.units = Some(table),
        "models" => set.models = Some(table),
        "adoptions" => set.adoptions = Some(table),
        _ => set.surveys = Some(table),
    }
}

fn read_dir(dir: &Path) -> Result<ImportSet, String> {
    let mut set = ImportSet::default();
    let mut found = false;
    for name in FILE_NAMES {
        let path = dir.join(format!("{name}.csv"));
        if !path.exists() {
            continue;
        }
        found = true;
        let file = format!("{name}.csv");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let table = parse_csv(&file, &bytes, &mut set.problems);
                place(&mut set, name, table);
            }
            Err(e) => {
                set.problems.push(Problem { file, line: 0, column: "-".into(), reason: format!("cannot read: {e}") })
            }
        }
    }
    if !found {
        return Err(format!("{}: holds none of units.csv, models.csv, adoptions.csv, surveys.csv", dir.display()));
    }
    Ok(set)
}

/// Parses one CSV file (UTF-8, optional BOM, RFC 4180 quoting, header on line 1).
pub fn parse_csv(file: &str, bytes: &[u8], problems: &mut Vec<Problem>) -> Table {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut table = Table { file: file.to_string(), ..Default::default() };
    let report = |problems: &mut Vec<Problem>, line: u64, reason: String| {
        problems.push(Problem { file: file.to_string(), line, column: "-".into(), reason })
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    match records.next() {
        None => {
            report(problems, 1, "the file is empty: a header row is required".into());
            return table;
        }
        Some(Err(e)) => {
            report(problems, 1, format!("unreadable CSV: {e}"));
            return table;
        }
        Some(Ok(header)) => match decode(&header) {
            Ok(cells) => table.header = cells,
            Err(reason) => {
                report(problems, 1, reason);
                return table;
            }
        },
    }
    let mut lines = LineCounter::new(bytes);
    for record in records {
        match record {
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                report(problems, line, format!("unreadable CSV: {e}"));
                break;
            }
            Ok(rec) => {
                let line = rec.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    continue; // a blank line, e.g. at the end of a hand-edited file
                }
                if rec.len() != table.header.len() {
                    report(problems, line, format!("has {} fields, the header has {}", rec.len(), table.header.len()));
                    continue;
                }
                match decode(&rec) {
                    Ok(cells) => table.rows.push((line, cells)),
                    Err(reason) => report(problems, line, reason),
                }
            }
        }
    }
    table
}

/// Finds the line a record starts on. The reader's own count puts a record that follows
/// blank lines on the first of them, so lines are counted up to the record's first real
/// byte instead, moving forward only (records come in order), so a file is read once.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, pos: 0, line: 1 }
    }

    fn line_at(&mut self, start: u64) -> u64 {
        let bytes = self.bytes;
        let start = (start as usize).clamp(self.pos, bytes.len());
        let first = bytes[start..].iter().position(|b| *b != b'\n' && *b != b'\r').map_or(bytes.len(), |i| start + i);
        // A line ends at LF, CRLF or a lone CR (the "CSV (Macintosh)" of old spreadsheets).
        let breaks = (self.pos..first).filter(|&i| match bytes[i] {
            b'\n' => true,
            b'\r' => bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        });
        self.line += breaks.count() as u64;
        self.pos = first;
        self.line
    }
}

fn decode(rec: &csv::ByteRecord) -> Result<Vec<String>, String> {
    rec.iter().map(|f| String::from_utf8(f.to_vec()).map_err(|_| "is not valid UTF-8".to_string())).collect()
}

fn read_xlsx(path: &Path) -> Result<ImportSet, String> {
    let mut book =
        calamine::open_workbook_auto(path).map_err(|e| format!("{}: cannot open workbook: {e}", path.display()))?;
    let label = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let mut set = ImportSet::default();
    let sheets = book.sheet_names().to_vec();
    let mut found = false;
    for name in FILE_NAMES {
        let Some(sheet) = sheets.iter().find(|s| {
            let s = s.trim().to_lowercase();
            s == name || s == format!("{name}.csv")
        }) else {
            continue;
        };
        found = true;
        let file = format!("{label}[{sheet}]");
        let range = book.worksheet_range(sheet).map_err(|e| format!("{file}: cannot read sheet: {e}"))?;
        // Line numbers as Excel shows them, whatever empty rows the sheet starts with.
        let first_row = range.start().map(|(r, _)| u64::from(r) + 1).unwrap_or(1);
        let mut rows = range.rows().enumerate();
        let mut table = Table { file: file.clone(), ..Default::default() };
        if let Some((_, header)) = rows.next() {
            table.header = header.iter().map(cell_text).collect();
            while table.header.last().is_some_and(|h| h.is_empty()) {
                table.header.pop();
            }
        }
        for (i, cells) in rows {
            let mut cells: Vec<String> = cells.iter().map(cell_text).collect();
            cells.resize(table.header.len().max(cells.len()), String::new());
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if cells[table.header.len()..].iter().any(|c| !c.trim().is_empty()) {
                set.problems.push(Problem {
                    file: file.clone(),
                    line: first_row + i as u64,
                    column: "-".into(),
                    reason: "has values beyond the header's columns".into(),
                });
                continue;
            }
            cells.truncate(table.header.len());
            table.rows.push((first_row + i as u64, cells));
        }
        place(&mut set, name, table);
    }
    if !found {
        return Err(format!("{}: has no sheet named units, models, adoptions or surveys", path.display()));
    }
    Ok(set)
}

/// A cell as the text a CSV would hold: whole numbers without `.0`, dates as YYYY-MM-DD.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            dt.as_datetime().map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| dt.to_string())
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_keeps_lines_strips_bom_and_reports_ragged_rows() {
        let mut problems = Vec::new();
        let input = "\u{feff}code,name\nA,\"Yên Cát, \"\"thị trấn\"\"\"\n\nB\nC,\"two\nlines\"\nD,x\n";
        let t = parse_csv("units.csv", input.as_bytes(), &mut problems);
        assert_eq!(t.header, vec!["code", "name"]);
        assert_eq!(t.rows[0], (2, vec!["A".to_string(), "Yên Cát, \"thị trấn\"".to_string()]));
        assert_eq!(t.rows[1].0, 5);
        assert_eq!(t.rows[2].0, 7, "a quoted line break moves the next row's line");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].to_string(), "units.csv:4: -: has 1 fields, the header has 2");
    }

    #[test]
    fn lines_end_at_a_lone_cr_too() {
        let mut problems = Vec::new();
        let table = parse_csv("units.csv", b"code,name\rA,x\r\nB,y\rC\r", &mut problems);
        let lines: Vec<u64> = table.rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![2, 3]);
        assert_eq!((problems.len(), problems[0].line), (1, 4), "the ragged row C on line 4: {problems:?}");
    }

    #[test]
    fn empty_csv_is_a_problem() {
        let mut problems = Vec::new();
        parse_csv("models.csv", b"", &mut problems);
        assert_eq!(problems[0].to_string(), "models.csv:1: -: the file is empty: a header row is required");
    }
}
