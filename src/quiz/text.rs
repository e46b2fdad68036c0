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
        self.to_text_noting(text, &mut Vec::new())
    }

    /// [`TextFormat::to_text`], with the super- and subscripts that have no
    /// Unicode form added to `lost` (see [`html_to_text`]).
    pub fn to_text_noting(self, text: &str, lost: &mut Vec<String>) -> String {
        match self {
            TextFormat::Html => html_to_text(text, false, lost),
            TextFormat::Moodle => html_to_text(text, true, lost),
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
/// end lines too (Moodle auto-format). `<sup>` and `<sub>` become Unicode
/// super- and subscripts (x², H₂O, XIXᵉ); those Unicode has no form for are
/// written `^(…)`, `_(…)` and added to `lost`.
pub fn html_to_text(html: &str, keep_newlines: bool, lost: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(html.len());
    // The script open (`<sup>`, `<sub>`) and where its text starts in `out`.
    let mut script: Option<(Script, usize)> = None;
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
            "sup" | "sub" => {
                let kind = Script::of(&name);
                match (script, inside.starts_with('/')) {
                    (None, false) => script = kind.map(|kind| (kind, out.len())),
                    (Some((open, from)), true) if Some(open) == kind => {
                        let raised = open.apply(&out[from..], lost);
                        out.truncate(from);
                        out.push_str(&raised);
                        script = None;
                    }
                    _ => {}
                }
            }
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

/// Decodes HTML character references, numeric and named (the whole
/// WHATWG table, by `html-escape`); unknown names are left as written.
pub fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

/// The text a named HTML entity (between `&` and `;`) stands for, if any.
pub fn entity(name: &str) -> Option<String> {
    let reference = format!("&{name};");
    let decoded = html_escape::decode_html_entities(&reference);
    (decoded != reference.as_str() && !name.starts_with('#')).then(|| decoded.into_owned())
}

/// `<sup>` or `<sub>`, whose text becomes Unicode super- or subscripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Sup,
    Sub,
}

impl Script {
    fn of(tag: &str) -> Option<Script> {
        match tag {
            "sup" => Some(Script::Sup),
            "sub" => Some(Script::Sub),
            _ => None,
        }
    }

    /// The Unicode character for `c` raised or lowered, when there is one.
    fn char(self, c: char) -> Option<char> {
        const SUP: &[(char, char)] = &[
            ('0', '⁰'),
            ('1', '¹'),
            ('2', '²'),
            ('3', '³'),
            ('4', '⁴'),
            ('5', '⁵'),
            ('6', '⁶'),
            ('7', '⁷'),
            ('8', '⁸'),
            ('9', '⁹'),
            ('+', '⁺'),
            ('-', '⁻'),
            ('−', '⁻'),
            ('=', '⁼'),
            ('(', '⁽'),
            (')', '⁾'),
            ('a', 'ᵃ'),
            ('b', 'ᵇ'),
            ('c', 'ᶜ'),
            ('d', 'ᵈ'),
            ('e', 'ᵉ'),
            ('f', 'ᶠ'),
            ('g', 'ᵍ'),
            ('h', 'ʰ'),
            ('i', 'ⁱ'),
            ('j', 'ʲ'),
            ('k', 'ᵏ'),
            ('l', 'ˡ'),
            ('m', 'ᵐ'),
            ('n', 'ⁿ'),
            ('o', 'ᵒ'),
            ('p', 'ᵖ'),
            ('r', 'ʳ'),
            ('s', 'ˢ'),
            ('t', 'ᵗ'),
            ('u', 'ᵘ'),
            ('v', 'ᵛ'),
            ('w', 'ʷ'),
            ('x', 'ˣ'),
            ('y', 'ʸ'),
            ('z', 'ᶻ'),
        ];
        const SUB: &[(char, char)] = &[
            ('0', '₀'),
            ('1', '₁'),
            ('2', '₂'),
            ('3', '₃'),
            ('4', '₄'),
            ('5', '₅'),
            ('6', '₆'),
            ('7', '₇'),
            ('8', '₈'),
            ('9', '₉'),
            ('+', '₊'),
            ('-', '₋'),
            ('−', '₋'),
            ('=', '₌'),
            ('(', '₍'),
            (')', '₎'),
            ('a', 'ₐ'),
            ('e', 'ₑ'),
            ('h', 'ₕ'),
            ('i', 'ᵢ'),
            ('j', 'ⱼ'),
            ('k', 'ₖ'),
            ('l', 'ₗ'),
            ('m', 'ₘ'),
            ('n', 'ₙ'),
            ('o', 'ₒ'),
            ('p', 'ₚ'),
            ('r', 'ᵣ'),
            ('s', 'ₛ'),
            ('t', 'ₜ'),
            ('u', 'ᵤ'),
            ('v', 'ᵥ'),
            ('x', 'ₓ'),
        ];
        let table = match self {
            Script::Sup => SUP,
            Script::Sub => SUB,
        };
        table.iter().find(|&&(from, _)| from == c).map(|&(_, to)| to)
    }

    /// `text` raised or lowered: in Unicode when every character has a
    /// form, otherwise written `^(text)` or `_(text)` (`^2` for one
    /// character) and reported in `lost`.
    fn apply(self, text: &str, lost: &mut Vec<String>) -> String {
        if let Some(converted) = text.chars().map(|c| self.char(c)).collect::<Option<String>>() {
            return converted;
        }
        let mark = match self {
            Script::Sup => '^',
            Script::Sub => '_',
        };
        lost.push(text.to_string());
        if text.chars().count() == 1 { format!("{mark}{text}") } else { format!("{mark}({text})") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text() {
        let html = "<p>Quelle est la <b>capitale</b>\n de la France&nbsp;?</p><p>Indice&#8239;: \
                    &laquo;&#x20AC;&raquo; &amp; co</p>";
        assert_eq!(
            html_to_text(html, false, &mut Vec::new()),
            "Quelle est la capitale de la France\u{a0}?\nIndice\u{202f}: «€» & co"
        );
    }

    #[test]
    fn breaks_lists_and_blank_lines() {
        let html = "Un<br/>deux<br><br><br>trois<ul><li>a</li><li>b</li></ul>";
        assert_eq!(html_to_text(html, false, &mut Vec::new()), "Un\ndeux\n\ntrois\na\nb");
        let indented = "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul><p>c</p><p>d</p>";
        assert_eq!(html_to_text(indented, false, &mut Vec::new()), "a\nb\nc\nd");
    }

    #[test]
    fn scripts_styles_and_comments_vanish() {
        let html = "a<script>alert('<p>')</script>b<style>p{}</style>c<!-- <p>x</p> -->d";
        assert_eq!(html_to_text(html, false, &mut Vec::new()), "abcd");
    }

    #[test]
    fn a_lone_less_than_sign_is_text() {
        assert_eq!(html_to_text("3 < 5 et 2<3", false, &mut Vec::new()), "3 < 5 et 2<3");
        assert_eq!(html_to_text("x &lt;b&gt; y", false, &mut Vec::new()), "x <b> y");
        assert_eq!(html_to_text("R&D; &bogus; &", false, &mut Vec::new()), "R&D; &bogus; &");
    }

    #[test]
    fn moodle_format_keeps_line_breaks() {
        assert_eq!(html_to_text("ligne 1\r\nligne <i>2</i>", true, &mut Vec::new()), "ligne 1\nligne 2");
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
        // The whole WHATWG table, not only French letters.
        assert_eq!(decode_entities("&oacute; &le; &ge; &pi; &copy; &rarr; &#233;&#xE9; &hellip;"), "ó ≤ ≥ π © → éé …");
        assert_eq!(decode_entities("&nope; R&D; &"), "&nope; R&D; &");
        assert_eq!(entity("eacute").as_deref(), Some("é"));
        assert_eq!(entity("le").as_deref(), Some("≤"));
        assert_eq!(entity("nope"), None);
        assert_eq!(decode_entities("C&oelig;ur &eacute;l&egrave;ve"), "Cœur élève");
    }

    #[test]
    fn superscripts_and_subscripts_become_unicode() {
        assert_eq!(html_to_text("x<sup>2</sup> + y<SUP>n+1</SUP>", false, &mut Vec::new()), "x² + yⁿ⁺¹");
        assert_eq!(
            html_to_text("H<sub>2</sub>O, le XIX<sup>e</sup> siècle, 1<sup>er</sup>", false, &mut Vec::new()),
            "H₂O, le XIXᵉ siècle, 1ᵉʳ"
        );
        assert_eq!(html_to_text("10<sup>&minus;3</sup>", false, &mut Vec::new()), "10⁻³");
        let mut lost = Vec::new();
        assert_eq!(html_to_text("e<sup>iπ</sup> et x<sub>q</sub>", false, &mut lost), "e^(iπ) et x_q");
        assert_eq!(lost, ["iπ", "q"]);
        // Unbalanced tags change nothing.
        assert_eq!(html_to_text("a</sup>b<sub>c", false, &mut Vec::new()), "abc");
    }
}
