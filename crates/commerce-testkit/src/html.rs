//! Reading the dashboard's HTML in tests: text between markers, entity unescaping and the
//! `rel="next"` link (the server's dashboard tests and `commerce-e2e`'s browser test).

/// The text between `start` and the next `end` after it.
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(&html[from..to])
}

pub fn unescape(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The href of the `rel="next"` link, unescaped.
pub fn next_href(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\"")?;
    let anchor_start = html[..at].rfind("<a ")?;
    between(&html[anchor_start..], "href=\"", "\"").map(unescape)
}
