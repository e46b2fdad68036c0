//! Plain text out of the formats Moodle stores text in (HTML, "Moodle
//! auto-format", plain text, Markdown), for the importers.
//!
//! HTML becomes plain text: tags are removed, `<br>` ends a line,
//! paragraphs, list items, table rows and headings start and end lines
//! (without adding blank ones), `<script>` and `<style>` are
//! dropped with their content, entities are decoded, spaces collapse and
//! at most one blank line separates paragraphs. A `<` that does not open a
//! tag (`3 < 5`) is kept. The first `<img>` with an `http(s)` address
//! becomes the question's image.

/// The text formats of Moodle (GIFT `[html]`, XML `format="html"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// HTML: line breaks in the source are spaces.
    Html,
    /// Moodle auto-format: HTML is allowed and line breaks are kept.
    Moodle,
    /// Plain text, taken as is.
    Plain,
    /// Markdown, taken as is (it reads well as text).
    Markdown,
}

impl TextFormat {
    /// The format a GIFT `[name]` or a Moodle XML `format="name"` names.
    pub fn from_name(name: &str) -> Option<TextFormat> {
        match name.trim().to_ascii_lowercase().as_str() {
            "html" => Some(TextFormat::Html),
            "moodle" | "moodle_auto_format" => Some(TextFormat::Moodle),
            "plain" | "plain_text" => Some(TextFormat::Plain),
            "markdown" => Some(TextFormat::Markdown),
            _ => None,
        }
    }

    /// `text` in this format as plain text, trimmed.
    pub fn to_text(self, text: &str) -> String {
        match self {
            TextFormat::Html => html_to_text(text, false),
            TextFormat::Moodle => html_to_text(text, true),
            TextFormat::Plain | TextFormat::Markdown => tidy_lines(text),
        }
    }
}

/// An `<img>` found in HTML: its address, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub src: String,
}

impl Image {
    /// Whether the address is one a browser can load (`http` or `https`),
    /// rather than a file embedded in a Moodle export (`@@PLUGINFILE@@/…`).
    pub fn is_web(&self) -> bool {
        let lower = self.src.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    }
}

/// The `<img>` elements of `html`, in order.
pub fn images(html: &str) -> Vec<Image> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = find_ascii_case_insensitive(rest, "<img") {
        let tag = &rest[start..];
        let end = tag.find('>').unwrap_or(tag.len());
        if let Some(src) = attribute(&tag[..end], "src") {
            found.push(Image { src: decode_entities(&src) });
        }
        rest = &tag[end..];
    }
    found
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The raw value of attribute `name` in the tag text `tag` (`<img …`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let bytes = tag.as_bytes();
    let mut from = 0;
    while let Some(offset) = find_ascii_case_insensitive(&tag[from..], name) {
        let at = from + offset;
        from = at + name.len();
        let preceded_by_space = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        let Some(value) = rest.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        if !preceded_by_space {
            continue;
        }
        return Some(match value.chars().next() {
            Some(quote @ ('"' | '\'')) => value[1..].split(quote).next().unwrap_or_default().to_string(),
            _ => {
                value.split(|c: char| c.is_whitespace() || c == '>' || c == '/').next().unwrap_or_default().to_string()
            }
        });
    }
    None
}

/// Plain text of `html`; with `keep_newlines`, line breaks of the source
/// end lines too (Moodle auto-format).
pub fn html_to_text(html: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt], keep_newlines);
        let tag = &rest[lt..];
        if let Some(comment) = tag.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let opens_tag = tag[1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let Some(gt) = tag.find('>').filter(|_| opens_tag) else {
            out.push('<');
            rest = &tag[1..];
            continue;
        };
        let inside = &tag[1..gt];
        let name: String = inside
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tag[gt + 1..];
        match name.as_str() {
            "script" | "style" if !inside.starts_with('/') => {
                let close = format!("</{name}");
                rest = find_ascii_case_insensitive(rest, &close).map_or("", |at| &rest[at..]);
            }
            "br" => out.push('\n'),
            "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
            | "blockquote" | "pre" | "hr" => {
                // A block starts or ends a line, without adding blank lines.
                let line = out.rsplit('\n').next().unwrap_or_default();
                if !line.trim().is_empty() {
                    out.push('\n');
                }
            }
            "td" | "th" => out.push(' '),
            _ => {}
        }
    }
    push_text(&mut out, rest, keep_newlines);
    tidy_lines(&out)
}

fn push_text(out: &mut String, text: &str, keep_newlines: bool) {
    let decoded = decode_entities(text);
    if keep_newlines {
        out.push_str(&decoded.replace("\r\n", "\n"));
    } else {
        out.extend(decoded.chars().map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c }));
    }
}

/// Collapses runs of spaces and tabs, trims every line, keeps at most one
/// blank line in a row and none at the ends. Non-breaking spaces are kept
/// inside lines (French typography needs them).
pub fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.lines() {
        let mut collapsed = String::with_capacity(line.len());
        for word in line.split([' ', '\t']).filter(|w| !w.is_empty()) {
            if !collapsed.is_empty() {
                collapsed.push(' ');
            }
            collapsed.push_str(word);
        }
        let line = collapsed.trim();
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_pending {
                out.push('\n');
            }
        }
        blank_pending = false;
        out.push_str(line);
    }
    out
}

/// Decodes HTML character references: numeric ones and the named ones
/// French Moodle content uses; unknown names are left as written.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.char_indices().take(12).find(|&(_, c)| c == ';').map(|(i, _)| i);
        match end.and_then(|end| entity(&after[..end]).map(|c| (end, c))) {
            Some((end, c)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity name (between `&` and `;`) stands for.
pub fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "euro" => '€',
        "deg" => '°',
        "times" => '×',
        "divide" => '÷',
        "middot" => '·',
        "sup2" => '²',
        "sup3" => '³',
        "frac12" => '½',
        "oelig" => 'œ',
        "OElig" => 'Œ',
        "aelig" => 'æ',
        "AElig" => 'Æ',
        "agrave" => 'à',
        "Agrave" => 'À',
        "acirc" => 'â',
        "Acirc" => 'Â',
        "ccedil" => 'ç',
        "Ccedil" => 'Ç',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "Egrave" => 'È',
        "ecirc" => 'ê',
        "Ecirc" => 'Ê',
        "euml" => 'ë',
        "Euml" => 'Ë',
        "icirc" => 'î',
        "Icirc" => 'Î',
        "iuml" => 'ï',
        "Iuml" => 'Ï',
        "ocirc" => 'ô',
        "Ocirc" => 'Ô',
        "ugrave" => 'ù',
        "Ugrave" => 'Ù',
        "ucirc" => 'û',
        "Ucirc" => 'Û',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "yuml" => 'ÿ',
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        let html = "<p>Quelle est la <b>capitale</b>\n de la France&nbsp;?</p><p>Indice&#8239;: \
                    &laquo;&#x20AC;&raquo; &amp; co</p>";
        assert_eq!(html_to_text(html, false), "Quelle est la capitale de la France\u{a0}?\nIndice\u{202f}: «€» & co");
    }

    #[test]
    fn breaks_lists_and_blank_lines() {
        let html = "Un<br/>deux<br><br><br>trois<ul><li>a</li><li>b</li></ul>";
        assert_eq!(html_to_text(html, false), "Un\ndeux\n\ntrois\na\nb");
        let indented = "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul><p>c</p><p>d</p>";
        assert_eq!(html_to_text(indented, false), "a\nb\nc\nd");
    }

    #[test]
    fn scripts_styles_and_comments_vanish() {
        let html = "a<script>alert('<p>')</script>b<style>p{}</style>c<!-- <p>x</p> -->d";
        assert_eq!(html_to_text(html, false), "abcd");
    }

    #[test]
    fn a_lone_less_than_sign_is_text() {
        assert_eq!(html_to_text("3 < 5 et 2<3", false), "3 < 5 et 2<3");
        assert_eq!(html_to_text("x &lt;b&gt; y", false), "x <b> y");
        assert_eq!(html_to_text("R&D; &bogus; &", false), "R&D; &bogus; &");
    }

    #[test]
    fn moodle_format_keeps_line_breaks() {
        assert_eq!(html_to_text("ligne 1\r\nligne <i>2</i>", true), "ligne 1\nligne 2");
        assert_eq!(TextFormat::Plain.to_text("  a  <b>\n\n\n c "), "a <b>\n\nc");
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(TextFormat::from_name("html"), Some(TextFormat::Html));
        assert_eq!(TextFormat::from_name("moodle_auto_format"), Some(TextFormat::Moodle));
        assert_eq!(TextFormat::from_name("plain_text"), Some(TextFormat::Plain));
        assert_eq!(TextFormat::from_name("markdown"), Some(TextFormat::Markdown));
        assert_eq!(TextFormat::from_name("latex"), None);
    }

    #[test]
    fn images_are_found_with_their_address() {
        let html = r#"<p>Voir <IMG alt="x" SRC="https://ex.org/a.png?x=1&amp;y=2"> et
                      <img src='@@PLUGINFILE@@/b.png' /> <img data-src="no"> <img src=c.png></p>"#;
        let found = images(html);
        let srcs: Vec<&str> = found.iter().map(|i| i.src.as_str()).collect();
        assert_eq!(srcs, ["https://ex.org/a.png?x=1&y=2", "@@PLUGINFILE@@/b.png", "c.png"]);
        assert!(found[0].is_web() && !found[1].is_web() && !found[2].is_web());
    }

    #[test]
    fn entities() {
        assert_eq!(entity("#233"), Some('é'));
        assert_eq!(entity("#xE9"), Some('é'));
        assert_eq!(entity("#0"), None);
        assert_eq!(entity("#xFFFFFFFF"), None);
        assert_eq!(entity("oelig"), Some('œ'));
        assert_eq!(entity("nope"), None);
        assert_eq!(decode_entities("C&oelig;ur &eacute;l&egrave;ve"), "Cœur élève");
    }
}
