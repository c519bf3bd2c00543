//! The write stage: puts the site in place without ever damaging the published one.
//!
//! Everything is written into a staging directory beside the output. Only when every file is written
//! does the staging directory replace the output, in one atomic exchange of the two directories on
//! Linux; a build that fails or is killed at any moment leaves the previous output as it was (and at
//! most a stale staging directory, removed by the next build, which says so). Which folders may be
//! replaced at all is [`guard`]'s decision, made before anything is touched.

pub mod guard;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use walkdir::WalkDir;

/// A site being written.
pub struct Staging {
    output: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// Folders of the staging directory made so far: a file goes straight into a folder known to
    /// exist, and a new folder is made before its first file (no failed open, then make, then open
    /// again: at 10,000 projects that was 10,000 failed system calls).
    folders: Mutex<HashSet<PathBuf>>,
    /// Folders a killed earlier build left behind, removed when this one began.
    pub removed_stale: Vec<PathBuf>,
}

/// A write failure with the path concerned.
#[derive(Debug, thiserror::Error)]
#[error("{path} に書き込めません: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

impl Staging {
    /// Prepares a fresh staging directory beside `output`.
    pub fn begin(output: &Path) -> Result<Staging, WriteError> {
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(at(&parent))?;
        let name = output
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let staging = parent.join(format!(".{name}.staging"));
        let mut removed_stale = Vec::new();
        for stale in [staging.clone(), parent.join(format!(".{name}.previous"))] {
            if remove_stale(&stale)? {
                removed_stale.push(stale);
            }
        }
        fs::create_dir_all(&staging).map_err(at(&staging))?;
        let marker = staging.join(guard::MARKER);
        fs::write(&marker, guard::MARKER_TEXT).map_err(at(&marker))?;
        let folders = Mutex::new(HashSet::from([staging.clone()]));
        Ok(Staging {
            output: output.to_path_buf(),
            staging,
            committed: false,
            removed_stale,
            folders,
        })
    }

    /// Writes a file at `relative` (a `/`-separated path built from validated slugs).
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), WriteError> {
        check_name(relative)?;
        let path = self.staging.join(relative);
        if let Some(dir) = path.parent() {
            let known = self
                .folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(dir);
            if !known {
                fs::create_dir_all(dir).map_err(at(dir))?;
                self.folders
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(dir.to_path_buf());
            }
        }
        fs::write(&path, bytes).map_err(at(&path))
    }

    /// Copies every file under `dir` into the site under `prefix` (`""`, or a folder ending in `/`),
    /// keeping relative paths; returns those paths (`/`-separated, relative to the output).
    pub fn copy_tree(&self, dir: &Path, prefix: &str) -> Result<Vec<String>, WriteError> {
        let mut copied = Vec::new();
        for entry in WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| WriteError {
                path: dir.to_path_buf(),
                source: io::Error::other(e.to_string()),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let relative = Path::new(prefix).join(relative);
            let target = self.staging.join(&relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent).map_err(at(parent))?;
            }
            fs::copy(entry.path(), &target).map_err(at(entry.path()))?;
            copied.push(relative.to_string_lossy().replace('\\', "/"));
        }
        Ok(copied)
    }

    /// Replaces the output with the staged site.
    pub fn commit(mut self) -> Result<(), WriteError> {
        if self.output.is_dir() && exchange(&self.staging, &self.output).is_ok() {
            // The old site now sits at the staging path.
            self.committed = true;
            return remove_if_present(&self.staging);
        }
        let previous = self.staging.with_file_name(
            self.staging
                .file_name()
                .map(|n| n.to_string_lossy().replace(".staging", ".previous"))
                .unwrap_or_default(),
        );
        let had_output = self.output.exists();
        if had_output {
            fs::rename(&self.output, &previous).map_err(at(&self.output))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.output) {
            if had_output {
                // Put the published site back before reporting.
                let _ = fs::rename(&previous, &self.output);
            }
            return Err(at(&self.output)(e));
        }
        self.committed = true;
        if had_output {
            remove_if_present(&previous)?;
        }
        Ok(())
    }
}

/// The longest name of one file or folder on the file systems a site is published from (255 bytes
/// on ext4, XFS, NTFS, APFS).
pub const MAX_NAME_BYTES: usize = 255;

/// Refuses an output path that no file system could hold, before anything is written. `check`
/// asks the same of every file a build would write, so the two fail alike.
pub fn check_name(relative: &str) -> Result<(), WriteError> {
    match relative.split('/').find(|name| name.len() > MAX_NAME_BYTES) {
        Some(name) => Err(WriteError {
            path: PathBuf::from(relative),
            source: io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "名前が長すぎます（{} バイト。ファイルやフォルダの名前は {MAX_NAME_BYTES} バイトまで）",
                    name.len()
                ),
            ),
        }),
        None => Ok(()),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Swaps two directories atomically (Linux `renameat2` with `RENAME_EXCHANGE`): at no moment is
/// either path missing.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both arguments are valid NUL-terminated paths that live across the call; the call
    // only reads them.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere, the two renames in `commit` are used instead.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Replaces one file of a published site in place (the live preview's partial rebuilds): written
/// beside it first, then renamed over it, so a reader gets either the old file or the new one.
pub fn replace_file(output: &Path, relative: &str, bytes: &[u8]) -> Result<(), WriteError> {
    let path = output.join(relative);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(at(dir))?;
    }
    let mut temporary = path.clone().into_os_string();
    temporary.push(".roadmap-new");
    let temporary = PathBuf::from(temporary);
    fs::write(&temporary, bytes).map_err(at(&temporary))?;
    fs::rename(&temporary, &path).map_err(at(&path))
}

/// Removes one file of a published site, and the folders it leaves empty (up to the output).
pub fn remove_file(output: &Path, relative: &str) -> Result<(), WriteError> {
    let path = output.join(relative);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(at(&path)(e)),
        _ => {}
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == output || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// Removes a staging or previous-site folder that a killed build left, if it is one of ours (it
/// carries the marker, or is a site an earlier build wrote); returns whether there was one. A folder
/// of that name that is not ours is never deleted: the build stops and names it.
fn remove_stale(path: &Path) -> Result<bool, WriteError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(at(path)(e)),
        Ok(meta) if meta.is_dir() && guard::is_ours_or_empty(path) => {
            remove_if_present(path)?;
            Ok(true)
        }
        Ok(_) => Err(WriteError {
            path: path.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::AlreadyExists,
                "作業用の名前のファイルかフォルダがありますが、roadmap build が作ったものではないため、消さずに止めました。名前を変えるか、別の --output を指定してください",
            ),
        }),
    }
}

fn remove_if_present(path: &Path) -> Result<(), WriteError> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(at(path)(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_the_output_and_drop_leaves_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("output");
        fs::create_dir_all(&output).expect("mkdir");
        fs::write(output.join("old.html"), "old").expect("write");

        let abandoned = Staging::begin(&output).expect("begin");
        abandoned.write("new.html", b"new").expect("write");
        drop(abandoned);
        assert!(output.join("old.html").exists());
        assert!(!output.join("new.html").exists());

        let staging = Staging::begin(&output).expect("begin");
        staging.write("a/b/index.html", b"<p>x</p>").expect("write");
        staging.commit().expect("commit");
        assert!(!output.join("old.html").exists());
        assert_eq!(
            fs::read(output.join("a/b/index.html")).expect("read"),
            b"<p>x</p>"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).expect("ls").collect();
        assert_eq!(leftovers.len(), 1, "only the output remains");
    }
}
