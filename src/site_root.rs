//! Which folder is the site: the one given with `--root`, or else the nearest folder, from the
//! current one upwards, that holds `config.toml` (as Zola, Hugo and cargo find theirs), so that a
//! command typed in `content/` or deeper works as in the site's folder.

use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;

/// Why no site folder was found (a usage error, exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error(
        "このフォルダ（{0}）にも、その上のフォルダにも config.toml がありません。サイトのフォルダ（config.toml のある場所）でターミナルを開くか、--root でサイトのフォルダを指定してください。"
    )]
    NotFound(String),
    #[error("今いるフォルダが分かりません（{0}）。--root でサイトのフォルダを指定してください。")]
    NoCurrentDir(String),
}

/// The site folder: `given` as it is (the command then says if it has no `config.toml`), or the
/// nearest folder holding `config.toml` from the current folder upwards. The current folder itself
/// is returned as `.`, so that messages name paths as before; a folder above it as an absolute path.
pub fn locate(given: Option<PathBuf>) -> Result<PathBuf, RootError> {
    if let Some(root) = given {
        return Ok(root);
    }
    let here = std::env::current_dir().map_err(|e| RootError::NoCurrentDir(e.to_string()))?;
    find_from(&here).ok_or_else(|| RootError::NotFound(here.display().to_string()))
}

/// The nearest folder from `start` upwards that holds a `config.toml` file.
pub fn find_from(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(|dir| {
            if dir == start {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_folder_with_a_config_is_found_upwards() -> Result<(), std::io::Error> {
        let site = tempfile::tempdir()?;
        let deep = site.path().join("content").join("a").join("b");
        std::fs::create_dir_all(&deep)?;
        std::fs::write(site.path().join(CONFIG_FILE), "")?;
        assert_eq!(find_from(&deep), Some(site.path().to_path_buf()));
        assert_eq!(find_from(site.path()), Some(PathBuf::from(".")));
        // A folder called config.toml is not a site.
        let nested = site.path().join("content").join("a");
        std::fs::create_dir(nested.join(CONFIG_FILE))?;
        assert_eq!(find_from(&deep), Some(site.path().to_path_buf()));
        Ok(())
    }

    #[test]
    fn a_given_root_wins() {
        let given = PathBuf::from("somewhere/else");
        assert_eq!(locate(Some(given.clone())).ok(), Some(given));
    }
}
