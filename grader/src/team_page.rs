//! The team view as one self-contained HTML page, for a facilitator to look at before a session:
//! learners by steps, each cell coloured by the learner's state, a bar per step for the share of
//! the group stuck there, and the steps where most are stuck marked.
//!
//! The page needs nothing else: the style is inline, the chart is inline SVG, there is no script
//! and no link to fetch. It is also well-formed XML (every tag closed, every text escaped), so a
//! test can read it back with an XML parser. Like `render`, this module only lays out what
//! `report::team_view` decided.

use std::fmt::Write as _;

use crate::fsutil::human_duration;
use crate::report::{CHECKS_WITHOUT_PEERS, Cell, TeamState, TeamStep, TeamView};

/// The states in the order of the legend, with their colours (colour-blind safe: the Okabe-Ito
/// palette, plus grey for "nothing yet").
const STATES: [(TeamState, &str); 5] = [
    (TeamState::Done, "#009e73"),
    (TeamState::Working, "#56b4e9"),
    (TeamState::Stuck, "#d55e00"),
    (TeamState::Skipped, "#e8e8e8"),
    (TeamState::NotStarted, "#ffffff"),
];

/// Width and height of one bar's slot in the chart, in SVG units.
const BAR_WIDTH: usize = 28;
const CHART_HEIGHT: usize = 100;

/// The page. Steps where the share of the group stuck is the highest (and above zero) carry the
/// class `hot` in the table and the chart.
pub fn html(view: &TeamView) -> String {
    let hot = hot_steps(&view.steps);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<title>Team progress</title>\n<style>\n");
    out.push_str(STYLE);
    for (state, colour) in STATES {
        let _ = writeln!(out, "td.{} {{ background: {colour}; }}", class(state));
    }
    out.push_str("</style>\n</head>\n<body>\n<h1>Team progress</h1>\n");
    let _ = writeln!(
        out,
        "<p>{} learner{}, {} steps. {}</p>",
        view.learners.len(),
        if view.learners.len() == 1 { "" } else { "s" },
        view.steps.len(),
        hot_sentence(&view.steps, &hot)
    );
    chart(&mut out, &view.steps, &hot);
    legend(&mut out);
    table(&mut out, view, &hot);
    let _ = writeln!(
        out,
        "<p class=\"note\">Each cell: checks · hints opened before passing, then the time \
         worked. Hover over a cell for the learner's last verdict. \
         Median time: over the learners who passed the step (how many, in brackets). \
         <strong>Stuck</strong>: checked and not passed, with more checks, time or hints than the median \
         learner who passed the step (while no one has passed it: more than \
         {CHECKS_WITHOUT_PEERS} checks). <strong>Skipped</strong>: not worked on while the learner went \
         further.</p>\n</body>\n</html>"
    );
    out
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 11px; }
th, td { border: 1px solid #bbb; padding: 1px 3px; text-align: center; white-space: nowrap; }
td.cell { min-width: 3.2em; line-height: 1.2; }
td.cell small { font-size: 9px; }
td.done, td.stuck { color: #fff; }
th.learner { text-align: left; font-weight: normal; }
th.learner small { color: #555; }
th.hot { background: #d55e00; color: #fff; }
td.hot { outline: 2px solid #d55e00; outline-offset: -2px; }
td.done.hot { outline-color: #fde0cf; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #bbb; }
.note { color: #555; max-width: 60em; }
svg text { font-size: 10px; font-family: system-ui, sans-serif; }
";

/// The CSS class of a state: `done`, `working`, `stuck`, `skipped`, `not-started`.
fn class(state: TeamState) -> &'static str {
    match state {
        TeamState::NotStarted => "not-started",
        other => other.as_str(),
    }
}

/// The indices of the steps with the highest share of stuck learners, if any is stuck at all.
fn hot_steps(steps: &[TeamStep]) -> Vec<usize> {
    let most = steps
        .iter()
        .map(|step| step.count(TeamState::Stuck))
        .max()
        .unwrap_or(0);
    if most == 0 {
        return Vec::new();
    }
    (0..steps.len())
        .filter(|&i| {
            steps
                .get(i)
                .is_some_and(|s| s.count(TeamState::Stuck) == most)
        })
        .collect()
}

fn hot_sentence(steps: &[TeamStep], hot: &[usize]) -> String {
    let labels: Vec<&str> = hot
        .iter()
        .filter_map(|&i| steps.get(i))
        .map(|step| step.label.as_str())
        .collect();
    match labels.as_slice() {
        [] => "No one is stuck.".to_string(),
        [one] => format!("Most stuck: step {one}."),
        many => format!("Most stuck: steps {}.", many.join(", ")),
    }
}

/// The bar chart: per step, the share of the group stuck there.
fn chart(out: &mut String, steps: &[TeamStep], hot: &[usize]) {
    let width = BAR_WIDTH * steps.len().max(1);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" \
         role=\"img\" aria-label=\"share of the group stuck, per step\">",
        CHART_HEIGHT + 16
    );
    for (index, step) in steps.iter().enumerate() {
        let x = index * BAR_WIDTH;
        // A share from 0 to 1 times a height of 100: the rounding is harmless.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let height = (step.stuck_share() * CHART_HEIGHT as f64).round() as usize;
        let class = if hot.contains(&index) {
            "bar hot"
        } else {
            "bar"
        };
        let fill = if hot.contains(&index) {
            "#d55e00"
        } else {
            "#e69f00"
        };
        let _ = writeln!(
            out,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{height}\" \
             fill=\"{fill}\"><title>{}: {} of {} stuck</title></rect>",
            x + 4,
            CHART_HEIGHT - height,
            BAR_WIDTH - 8,
            escape(&step.label),
            step.count(TeamState::Stuck),
            step.cells.len()
        );
        if step.count(TeamState::Stuck) > 0 {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}/{}</text>",
                x + BAR_WIDTH / 2,
                (CHART_HEIGHT - height).saturating_sub(3).max(10),
                step.count(TeamState::Stuck),
                step.cells.len()
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + BAR_WIDTH / 2,
            CHART_HEIGHT + 12,
            escape(&step.label)
        );
    }
    out.push_str("</svg>\n");
}

fn legend(out: &mut String) {
    out.push_str("<p class=\"legend\">");
    for (state, colour) in STATES {
        let _ = write!(
            out,
            "<span style=\"background: {colour}\">{}</span>",
            state.as_str()
        );
    }
    out.push_str("</p>\n");
}

/// The table: a row per learner, a column per step, and footer rows per step.
fn table(out: &mut String, view: &TeamView, hot: &[usize]) {
    let hot_class = |index: usize| if hot.contains(&index) { " hot" } else { "" };
    out.push_str("<table>\n<thead>\n<tr><th class=\"learner\">learner</th>");
    for (index, step) in view.steps.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"step{}\" title=\"{}\">{}</th>",
            hot_class(index),
            escape(&step.title),
            escape(&step.label)
        );
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for (row, learner) in view.learners.iter().enumerate() {
        let _ = write!(
            out,
            "<tr><th class=\"learner\">{}<br/><small>{} done, {} skipped · {}</small></th>",
            escape(&learner.learner),
            learner.done,
            learner.skipped,
            escape(&learner.standing)
        );
        for (index, step) in view.steps.iter().enumerate() {
            match step.cells.get(row) {
                Some(cell) => self::cell(out, step, cell, hot_class(index)),
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n<tfoot>\n");
    footer_row(out, view, "median time", |step| {
        step.need.seconds.map_or_else(
            || vec!["-".to_string()],
            |secs| vec![human_duration(secs), format!("({})", step.timed)],
        )
    });
    footer_row(out, view, "stuck", |step| {
        vec![format!(
            "{} of {}",
            step.count(TeamState::Stuck),
            step.cells.len()
        )]
    });
    out.push_str("</tfoot>\n</table>\n");
}

/// A footer row: a value per step, in lines.
fn footer_row(
    out: &mut String,
    view: &TeamView,
    name: &str,
    value: impl Fn(&TeamStep) -> Vec<String>,
) {
    let _ = write!(out, "<tr><th class=\"learner\">{name}</th>");
    for step in &view.steps {
        let lines: Vec<String> = value(step).iter().map(|line| escape(line)).collect();
        let _ = write!(out, "<td>{}</td>", lines.join("<br/>"));
    }
    out.push_str("</tr>\n");
}

/// One learner's cell: coloured by state, with checks, hints and time, and the details in a
/// tooltip.
fn cell(out: &mut String, step: &TeamStep, cell: &Cell, hot: &str) {
    let time = cell.seconds.map_or_else(|| "-".to_string(), human_duration);
    let text = match cell.state {
        TeamState::Skipped | TeamState::NotStarted => String::new(),
        _ => format!(
            "{} · {}<br/><small>{}</small>",
            cell.attempts,
            cell.hints,
            escape(&time)
        ),
    };
    let tooltip = format!(
        "{} on {} {}: {}; {} checks, {} hints, {time}; last: {}",
        cell.learner,
        step.label,
        step.title,
        cell.state.as_str(),
        cell.attempts,
        cell.hints,
        cell.last_verdict.as_deref().unwrap_or("not checked")
    );
    let _ = write!(
        out,
        "<td class=\"cell {}{hot}\" title=\"{}\">{text}</td>",
        class(cell.state),
        escape(&tooltip),
    );
}

/// Text made safe for HTML and XML, in elements and in quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{failing, learner, three_learners};
    use crate::report::team_view;
    use quick_xml::events::Event;

    /// What the page holds, read back with an XML parser: the cells' classes, the steps marked
    /// hot, and every element name.
    struct Parsed {
        cells: Vec<String>,
        hot_headers: Vec<String>,
        hot_bars: usize,
        elements: Vec<String>,
        texts: String,
    }

    fn parse(page: &str) -> Parsed {
        let mut reader = quick_xml::Reader::from_str(page);
        let mut parsed = Parsed {
            cells: Vec::new(),
            hot_headers: Vec::new(),
            hot_bars: 0,
            elements: Vec::new(),
            texts: String::new(),
        };
        let mut in_hot_header = false;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(tag) | Event::Empty(tag) => {
                    let name = String::from_utf8(tag.name().as_ref().to_vec()).unwrap();
                    let class = tag
                        .try_get_attribute("class")
                        .unwrap()
                        .map(|a| a.unescape_value().unwrap().into_owned())
                        .unwrap_or_default();
                    let classes: Vec<&str> = class.split(' ').collect();
                    if name == "td" && classes.contains(&"cell") {
                        parsed.cells.push(class.clone());
                    }
                    in_hot_header = name == "th" && classes.contains(&"hot");
                    if name == "rect" && classes.contains(&"hot") {
                        parsed.hot_bars += 1;
                    }
                    parsed.elements.push(name);
                }
                Event::Text(text) => {
                    let text = text.unescape().unwrap();
                    if in_hot_header {
                        parsed.hot_headers.push(text.to_string());
                    }
                    parsed.texts.push_str(&text);
                }
                Event::End(_) => in_hot_header = false,
                Event::Eof => return parsed,
                _ => {}
            }
        }
    }

    #[test]
    fn the_page_has_a_cell_per_learner_and_step_and_marks_where_most_are_stuck() {
        let mut reports = three_learners();
        reports.push(learner("dana", "3.1", vec![failing("3.1", 9, 60)]));
        reports.push(learner("eve", "3.1", vec![failing("3.1", 7, 30)]));
        reports.push(learner("finn", "1.1", vec![failing("1.1", 9, 60)]));
        let view = team_view(&reports);
        let page = html(&view);
        let parsed = parse(&page);
        assert_eq!(parsed.cells.len(), 6 * 7, "a cell per learner and step");
        // 3.1 has two stuck learners, 1.1 one: 3.1 alone stands out.
        assert_eq!(parsed.hot_headers, ["3.1"]);
        assert_eq!(parsed.hot_bars, 1);
        let count = |class: &str| parsed.cells.iter().filter(|c| c.contains(class)).count();
        assert_eq!(count("stuck"), 3);
        assert_eq!(count("hot"), 6, "every cell of the hot step");
        assert!(parsed.texts.contains("Most stuck: step 3.1."));
        assert!(parsed.texts.contains("2 of 6"), "the stuck share of 3.1");
        assert!(parsed.texts.contains("15 min(1)"), "the median time of 3.1");
        assert!(parsed.texts.contains("9 · 01 h 0 min"), "dana's cell");
        assert!(parsed.elements.contains(&"svg".to_string()));
    }

    #[test]
    fn the_page_stands_alone() {
        let page = html(&team_view(&three_learners()));
        let parsed = parse(&page);
        for element in ["script", "link", "img", "iframe"] {
            assert!(!parsed.elements.iter().any(|e| e == element), "{element}");
        }
        assert!(!page.contains("src="));
        assert!(!page.contains("href="));
        assert!(!page.contains("url("));
        assert!(parsed.texts.contains("No one is stuck."));
        assert!(parse(&page).hot_headers.is_empty());
    }

    #[test]
    fn names_and_verdicts_are_escaped() {
        let mut reports = three_learners();
        reports.push(learner(
            "<b>O'Neil & \"co\"</b>",
            "3.1",
            vec![failing("3.1", 1, 1)],
        ));
        let page = html(&team_view(&reports));
        let parsed = parse(&page);
        assert!(parsed.texts.contains("<b>O'Neil & \"co\"</b>"));
        assert!(!parsed.elements.contains(&"b".to_string()));
    }
}
