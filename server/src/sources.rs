//! Reading import input: a folder of CSV files or one XLSX workbook with the same four
//! sheets, into the format-free tables that `app::ssr::import` checks and writes.
use app::ssr::import::{ImportSet, Problem, RowRead, RowStream, Table};
use calamine::{Data, Reader};
use std::collections::VecDeque;
use std::io::{BufReader, Read};
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
        _ => set.surveys = Some(table.into()),
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
        let cannot = |e: std::io::Error| Problem { file: file.clone(), line: 0, column: "-".into(), reason: format!("cannot read: {e}") };
        if name == "surveys" {
            // Millions of rows at the national size: read as the import asks for them.
            match std::fs::File::open(&path) {
                Ok(f) => {
                    let (header, rows) = csv_rows(&file, f, &mut set.problems);
                    set.surveys = Some(RowStream { file, header, rows: Box::new(rows) });
                }
                Err(e) => set.problems.push(cannot(e)),
            }
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => {
                let table = parse_csv(&file, &bytes, &mut set.problems);
                place(&mut set, name, table);
            }
            Err(e) => set.problems.push(cannot(e)),
        }
    }
    if !found {
        return Err(format!("{}: holds none of units.csv, models.csv, adoptions.csv, surveys.csv", dir.display()));
    }
    Ok(set)
}

/// Parses one CSV file held in memory (a small table, a test) into a [`Table`].
pub fn parse_csv(file: &str, bytes: &[u8], problems: &mut Vec<Problem>) -> Table {
    let (header, rows) = csv_rows(file, bytes, problems);
    let mut table = Table { file: file.to_string(), header, rows: Vec::new() };
    for row in rows {
        match row {
            Ok(row) => table.rows.push(row),
            Err(p) => problems.push(p),
        }
    }
    table
}

/// Opens a CSV file (UTF-8, optional BOM, RFC 4180 quoting, header on line 1): its header,
/// and its rows to read one at a time, each with the line it starts on. A header that cannot
/// be read is a problem in `problems`, and then there are no rows.
pub fn csv_rows<R: Read>(file: &str, input: R, problems: &mut Vec<Problem>) -> (Vec<String>, CsvRows<R>) {
    let input = BufReader::new(input);
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Breaks::new(input));
    let mut rows = CsvRows { file: file.to_string(), reader, width: 0, record: csv::ByteRecord::new(), done: true };
    let mut header = Vec::new();
    let mut report = |reason: String| problems.push(Problem { file: file.to_string(), line: 1, column: "-".into(), reason });
    match rows.reader.read_byte_record(&mut rows.record) {
        Ok(false) => report("the file is empty: a header row is required".into()),
        Err(e) => report(format!("unreadable CSV: {e}")),
        Ok(true) => match decode(&rows.record) {
            Ok(mut cells) => {
                if let Some(first) = cells.first_mut().and_then(|c| c.strip_prefix('\u{feff}')) {
                    cells[0] = first.to_string();
                }
                header = cells;
                rows.width = header.len();
                rows.done = false;
            }
            Err(reason) => report(reason),
        },
    }
    (header, rows)
}

/// The data rows of a CSV file after its header, read as they are asked for.
pub struct CsvRows<R: Read> {
    file: String,
    reader: csv::Reader<Breaks<BufReader<R>>>,
    width: usize,
    record: csv::ByteRecord,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    fn problem(&self, line: u64, reason: String) -> Problem {
        Problem { file: self.file.clone(), line, column: "-".into(), reason }
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = RowRead;

    fn next(&mut self) -> Option<RowRead> {
        while !self.done {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => self.done = true,
                Err(e) => {
                    // The reader cannot resynchronise after broken quoting: stop at it.
                    self.done = true;
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Some(Err(self.problem(line, format!("unreadable CSV: {e}"))));
                }
                Ok(true) => {
                    let start = self.record.position().map(|p| p.byte());
                    let line = start.map(|b| self.reader.get_mut().line_at(b)).unwrap_or(0);
                    let rec = &self.record;
                    if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                        continue; // a blank line, e.g. at the end of a hand-edited file
                    }
                    if rec.len() != self.width {
                        let reason = format!("has {} fields, the header has {}", rec.len(), self.width);
                        return Some(Err(self.problem(line, reason)));
                    }
                    return Some(decode(rec).map(|cells| (line, cells)).map_err(|reason| self.problem(line, reason)));
                }
            }
        }
        None
    }
}

/// Counts lines under the CSV reader, as the bytes pass, to find the line a record starts
/// on. The reader's own count puts a record that follows blank lines on the first of them,
/// so the line is the count of breaks before the record's first byte that is not one. Only
/// the runs of breaks not yet passed by a record are kept: a few kilobytes of read-ahead,
/// whatever the file's size.
struct Breaks<R> {
    inner: R,
    /// Bytes read so far.
    pos: u64,
    /// Runs of consecutive CR/LF bytes ahead of the last record: (first byte, end, breaks in it).
    runs: VecDeque<(u64, u64, u64)>,
    after_cr: bool,
    /// 1 + the breaks before the last record.
    line: u64,
}

impl<R> Breaks<R> {
    fn new(inner: R) -> Self {
        Breaks { inner, pos: 0, runs: VecDeque::new(), after_cr: false, line: 1 }
    }

    /// The line of the record whose bytes start at `start` (records come in order).
    fn line_at(&mut self, start: u64) -> u64 {
        // Every run that begins at or before `start` ends before the record's first real
        // byte: its breaks all come before the record.
        while let Some(&(first, _, breaks)) = self.runs.front() {
            if first > start {
                break;
            }
            self.line += breaks;
            self.runs.pop_front();
        }
        self.line
    }
}

impl<R: Read> Read for Breaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            let at = self.pos + i as u64;
            let is_break = matches!(b, b'\n' | b'\r');
            // A line ends at LF, CRLF or a lone CR (the "CSV (Macintosh)" of old spreadsheets):
            // every CR is a break, and an LF unless it completes a CRLF.
            let counts = u64::from(*b == b'\r' || (*b == b'\n' && !self.after_cr));
            self.after_cr = *b == b'\r';
            if !is_break {
                continue;
            }
            match self.runs.back_mut() {
                Some(run) if run.1 == at => {
                    run.1 += 1;
                    run.2 += counts;
                }
                _ => self.runs.push_back((at, at + 1, counts)),
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

fn decode(rec: &csv::ByteRecord) -> Result<Vec<String>, String> {
    rec.iter().map(|f| String::from_utf8(f.to_vec()).map_err(|_| "is not valid UTF-8".to_string())).collect()
}

/// The most columns a sheet's header may name: the widest table of the format has a dozen.
/// A wider header is a sheet of something else, and every row read would be that wide.
pub const MAX_COLUMNS: usize = 64;

fn read_xlsx(path: &Path) -> Result<ImportSet, String> {
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e| format!("{}: cannot open workbook: {e}", path.display()))?;
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
        let cells = sheet_cells(&mut book, sheet).map_err(|e| format!("{file}: cannot read sheet: {e}"))?;
        let table = sheet_table(file, cells, &mut set.problems)?;
        place(&mut set, name, table);
    }
    if !found {
        return Err(format!("{}: has no sheet named units, models, adoptions or surveys", path.display()));
    }
    Ok(set)
}

/// The sheet's non-empty cells by row: (row, column, text), in the order of the file.
///
/// Read cell by cell rather than as calamine's `Range`, which allocates the rectangle
/// around every non-empty cell: two values at A1 and XFD1048576 (a used range a stray
/// keystroke can make) asked for 17 billion cells. Here memory follows what the sheet holds.
fn sheet_cells<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
    sheet: &str,
) -> Result<Vec<(u32, u32, String)>, calamine::XlsxError> {
    let mut reader = book.worksheet_cells_reader(sheet)?;
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell()? {
        let (row, column) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if !text.is_empty() {
            cells.push((row, column, text));
        }
    }
    Ok(cells)
}

/// The table of a sheet's cells: its first row with a value is the header; columns count
/// from the sheet's leftmost value; line numbers are the rows Excel shows.
fn sheet_table(file: String, mut cells: Vec<(u32, u32, String)>, problems: &mut Vec<Problem>) -> Result<Table, String> {
    let mut table = Table { file: file.clone(), ..Default::default() };
    // Cells do not always come in (row, column) order.
    cells.sort_by_key(|&(row, column, _)| (row, column));
    let Some(left) = cells.iter().map(|&(_, column, _)| column).min() else { return Ok(table) };
    let mut rows = cells.chunk_by(|a, b| a.0 == b.0);
    let Some(header) = rows.next() else { return Ok(table) };
    let width = header.last().map_or(0, |&(_, column, _)| (column - left) as usize + 1);
    if width > MAX_COLUMNS {
        return Err(format!(
            "{file}: line {}: the header has {width} columns (at most {MAX_COLUMNS}); is this the right sheet?",
            u64::from(header[0].0) + 1
        ));
    }
    table.header = vec![String::new(); width];
    for (_, column, text) in header {
        table.header[(column - left) as usize] = text.clone();
    }
    for row in rows {
        let line = u64::from(row[0].0) + 1;
        let mut values = vec![String::new(); width];
        let mut beyond = false;
        for (_, column, text) in row {
            match values.get_mut((column - left) as usize) {
                Some(value) => *value = text.clone(),
                None => beyond |= !text.trim().is_empty(),
            }
        }
        if beyond {
            problems.push(Problem {
                file: file.clone(),
                line,
                column: "-".into(),
                reason: "has values beyond the header's columns".into(),
            });
        } else if values.iter().any(|v| !v.trim().is_empty()) {
            table.rows.push((line, values));
        }
    }
    Ok(table)
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

    /// Hands over one byte per read, so that line breaks fall across the reader's buffers.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn streamed_rows_have_the_lines_of_the_whole_file() {
        let input = "\u{feff}code,name\r\n\r\nA,x\r\nB,\"two\r\nlines\"\r\rC,y\n\n\nD,z\rE\r\nF,w";
        let mut whole = Vec::new();
        let table = parse_csv("units.csv", input.as_bytes(), &mut whole);
        let mut problems = Vec::new();
        let (header, rows) = csv_rows("units.csv", Trickle(input.as_bytes()), &mut problems);
        let streamed: Vec<RowRead> = rows.collect();
        assert_eq!((header, problems.len()), (vec!["code".to_string(), "name".to_string()], 0));
        let lines: Vec<u64> = streamed.iter().map(|r| r.as_ref().map_or_else(|p| p.line, |(l, _)| *l)).collect();
        assert_eq!(lines, vec![3, 4, 7, 10, 11, 12]);
        let ok: Vec<_> = streamed.into_iter().filter_map(Result::ok).collect();
        assert_eq!(ok, table.rows);
        assert_eq!(whole.iter().map(|p| p.line).collect::<Vec<_>>(), vec![11], "E is ragged: {whole:?}");
    }

    #[test]
    fn empty_csv_is_a_problem() {
        let mut problems = Vec::new();
        parse_csv("models.csv", b"", &mut problems);
        assert_eq!(problems[0].to_string(), "models.csv:1: -: the file is empty: a header row is required");
    }
}
