//! The default theme, built into the program (see `build.rs`): the templates and static files a
//! site's own theme does not provide.

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The default theme's templates: (name relative to `templates/`, text).
pub fn templates() -> Vec<(String, String)> {
    FILES
        .iter()
        .filter_map(|(path, bytes)| {
            let name = path.strip_prefix("templates/")?;
            let text = std::str::from_utf8(bytes).ok()?;
            Some((name.to_string(), text.to_string()))
        })
        .collect()
}

/// The default theme's static files: (path relative to the output, bytes).
pub fn static_files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    FILES
        .iter()
        .filter_map(|(path, bytes)| Some((path.strip_prefix("static/")?, *bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_is_built_in_whole() {
        let names: Vec<String> = templates().into_iter().map(|(name, _)| name).collect();
        for required in super::super::theme::REQUIRED_TEMPLATES {
            assert!(names.iter().any(|n| n == required), "{required}");
        }
        assert!(static_files().any(|(path, _)| path == "assets/style.css"));
    }
}
