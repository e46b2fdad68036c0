//! A small XML tree for BigBlueButton's answers: elements with their
//! attributes, their text and their child elements, read with quick-xml.
//! Malformed or too deeply nested XML is an error, never a panic.

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// Deeper nesting than BigBlueButton ever sends is refused.
const MAX_DEPTH: usize = 32;

/// One element: its name, attributes, text (the concatenation of its own
/// text and CDATA, entities resolved) and child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlElement {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<XmlElement>,
}

impl XmlElement {
    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&XmlElement> {
        self.children.iter().find(|child| child.name == name)
    }

    /// Every child element named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a XmlElement> + 'a {
        self.children.iter().filter(move |child| child.name == name)
    }

    /// The trimmed text of the first child named `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|child| child.text.trim())
    }

    /// The value of the attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// Reads a document into its root element.
pub fn parse(text: &str) -> Result<XmlElement, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<XmlElement> = Vec::new();
    let mut root: Option<XmlElement> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("malformed XML at byte {}: {error}", reader.error_position()))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested more than {MAX_DEPTH} deep"));
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => attach(&mut stack, &mut root, element(&start)?)?,
            Event::End(_) => {
                // The reader checks that end tags match their start tags.
                if let Some(done) = stack.pop() {
                    attach(&mut stack, &mut root, done)?;
                }
            }
            Event::Text(content) => push_text(&mut stack, &content.xml10_content()),
            Event::CData(content) => push_text(&mut stack, &content.xml10_content()),
            Event::GeneralRef(reference) => {
                let name = reference.xml10_content();
                let resolved = if reference.is_char_ref() {
                    reference.resolve_char_ref().ok().flatten()
                } else {
                    predefined_entity(&name)
                };
                let resolved = resolved.ok_or_else(|| format!("unknown entity `&{name};`"))?;
                push_text(&mut stack, resolved.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("<{}> is not closed", open.name));
    }
    root.ok_or_else(|| "no XML element".to_string())
}

/// Escapes text for an XML attribute or element.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

fn element(start: &BytesStart<'_>) -> Result<XmlElement, String> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|error| format!("malformed attribute in <{name}>: {error}"))?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|error| format!("malformed attribute in <{name}>: {error}"))?;
        let key = attribute.key.local_name().as_ref().to_string();
        attributes.push((key, value.into_owned()));
    }
    Ok(XmlElement { name, attributes, text: String::new(), children: Vec::new() })
}

fn attach(stack: &mut [XmlElement], root: &mut Option<XmlElement>, element: XmlElement) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err(format!("a second root element <{}>", element.name)),
    }
    Ok(())
}

fn push_text(stack: &mut [XmlElement], text: &str) {
    if let Some(parent) = stack.last_mut() {
        parent.text.push_str(text);
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_becomes_a_tree() {
        let root = parse(
            r#"<?xml version="1.0"?>
            <response>
              <returncode>SUCCESS</returncode>
              <name>Fish &amp; chips &#233;<![CDATA[ <raw> ]]></name>
              <list><item a="1"/><item a="2 &lt;3"></item></list>
            </response>"#,
        )
        .unwrap();
        assert_eq!(root.name, "response");
        assert_eq!(root.text_of("returncode"), Some("SUCCESS"));
        assert_eq!(root.text_of("name"), Some("Fish & chips é <raw>"));
        let items: Vec<_> = root.child("list").unwrap().children_named("item").map(|i| i.attribute("a")).collect();
        assert_eq!(items, [Some("1"), Some("2 <3")]);
        assert_eq!(root.text_of("missing"), None);
    }

    #[test]
    fn malformed_documents_are_errors() {
        for bad in ["", "<a><b></a>", "<a>", "<a/><b/>", "<a>&nope;</a>", "not xml at all"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).unwrap_err().contains("nested"));
    }

    #[test]
    fn escaping_round_trips() {
        let text = r#"a <b> & "c" 'd'"#;
        let root = parse(&format!(r#"<x v="{}">{}</x>"#, escape(text), escape(text))).unwrap();
        assert_eq!(root.attribute("v"), Some(text));
        assert_eq!(root.text, text);
    }
}
