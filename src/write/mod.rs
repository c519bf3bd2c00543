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
use std::io::{self, Write};
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
        let (parent, name) = parent_and_name(output);
        fs::create_dir_all(&parent).map_err(at(&parent))?;
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

    /// Writes a file at `relative` (a `/`-separated path built from validated slugs) of `parts`,
    /// one after another.
    pub fn write(&self, relative: &str, parts: &[&[u8]]) -> Result<(), WriteError> {
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
        write_parts(&path, parts).map_err(at(&path))
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

/// Swaps two directories or two files atomically (Linux `renameat2` with `RENAME_EXCHANGE`): at no
/// moment is either path missing. Fails when either is missing.
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

/// A file of a published site written beside its place (`<file>.roadmap-new`) and not yet put in
/// place: the live preview's partial rebuilds write each changed file as soon as it is made, and
/// put them all in place only once every file is made, so that a failed render leaves the site as
/// it was. Dropped without [`Staged::commit`], the file is removed again (with the folders it made,
/// if they are left empty).
#[derive(Debug)]
pub struct Staged {
    output: PathBuf,
    relative: String,
    temporary: PathBuf,
    committed: bool,
}

/// Writes `parts`, one after another, beside `relative` in `output`, to be put in place by
/// [`Staged::commit`].
pub fn stage_file(output: &Path, relative: &str, parts: &[&[u8]]) -> Result<Staged, WriteError> {
    let path = output.join(relative);
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(at(dir))?;
    }
    let temporary = beside(&path, ".roadmap-new");
    let staged = Staged {
        output: output.to_path_buf(),
        relative: relative.to_string(),
        temporary,
        committed: false,
    };
    write_parts(&staged.temporary, parts).map_err(at(&staged.temporary))?;
    Ok(staged)
}

/// Creates (or truncates) the file at `path` and writes `parts` into it, one after another.
fn write_parts(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    match parts {
        [one] => file.write_all(one),
        _ => write_all_vectored(&mut file, parts),
    }
}

/// The most parts handed to one system call (Linux's `IOV_MAX`).
const PARTS_PER_CALL: usize = 1024;

/// Writes `parts` to `out`, one after another, many in each system call: a large file made of
/// the pieces the build keeps (a project's rows, its JSON) is written without first being copied
/// into one buffer, in as few calls as if it had been.
fn write_all_vectored(out: &mut impl Write, parts: &[&[u8]]) -> std::io::Result<()> {
    let mut slices: Vec<io::IoSlice<'_>> = parts
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| io::IoSlice::new(part))
        .collect();
    let mut rest = &mut slices[..];
    while !rest.is_empty() {
        let window = rest.len().min(PARTS_PER_CALL);
        match out.write_vectored(&rest[..window]) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(written) => io::IoSlice::advance_slices(&mut rest, written),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Staged {
    /// Puts the file in place, so a reader gets either the old file or the new one: swapped with
    /// the old one where the system can ([`exchange`]), else renamed over it. The old file is not
    /// freed here but moved to `replaced`, which frees it when dropped.
    pub fn commit(mut self, replaced: &Replaced) -> Result<(), WriteError> {
        let path = self.output.join(&self.relative);
        if exchange(&self.temporary, &path).is_ok() {
            self.committed = true;
            // The old file now has the temporary name.
            replaced.take(&self.temporary);
            return Ok(());
        }
        let kept = replaced.link(&path);
        match fs::rename(&self.temporary, &path) {
            Ok(()) => {
                self.committed = true;
                Ok(())
            }
            Err(e) => {
                replaced.forget(kept);
                Err(at(&path)(e))
            }
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let mut temporary = self.relative.clone();
            temporary.push_str(".roadmap-new");
            // Best effort: a leftover is in the preview's own folder, never in a build.
            let _ = remove_file(&self.output, &temporary);
        }
    }
}

/// The files that [`Staged::commit`] replaced, kept in a folder beside the output
/// (`.<output>.replaced.<n>`, one per rebuild) until this is dropped, which frees them and removes
/// the folder.
///
/// Freeing a file in place costs the preview's answer time on some file systems: on ext4 (where
/// the preview was measured) a file renamed over another has its blocks written out first, and
/// freeing a large file with `discard` waits for the disk, each a few hundredths of a second for a
/// 100 MB file. Dropped on another thread, the old files are freed after the answer.
#[derive(Debug)]
pub struct Replaced {
    folder: PathBuf,
    files: Mutex<Vec<PathBuf>>,
}

impl Replaced {
    pub fn beside(output: &Path) -> Replaced {
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (parent, name) = parent_and_name(output);
        Replaced {
            folder: parent.join(format!(".{name}.replaced.{n}")),
            files: Mutex::new(Vec::new()),
        }
    }

    /// A name in the folder for one more file.
    fn next_name(&self) -> Option<PathBuf> {
        fs::create_dir_all(&self.folder).ok()?;
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let name = self.folder.join(files.len().to_string());
        files.push(name.clone());
        Some(name)
    }

    /// Moves the file at `path` into the folder (or, failing that, frees it now).
    fn take(&self, path: &Path) {
        let moved = self
            .next_name()
            .is_some_and(|name| fs::rename(path, name).is_ok());
        if !moved {
            let _ = fs::remove_file(path);
        }
    }

    /// Gives the file at `path` a second name in the folder, so that replacing it does not free it;
    /// returns that name.
    fn link(&self, path: &Path) -> Option<PathBuf> {
        let name = self.next_name()?;
        fs::hard_link(path, &name).is_ok().then_some(name)
    }

    /// Frees a file given a second name by [`Replaced::link`] whose replacement failed.
    fn forget(&self, name: Option<PathBuf>) {
        if let Some(name) = name {
            let _ = fs::remove_file(name);
        }
    }
}

impl Drop for Replaced {
    fn drop(&mut self) {
        let files = std::mem::take(self.files.get_mut().unwrap_or_else(|e| e.into_inner()));
        for file in files {
            // Names that could not be given (see `next_name`) are simply absent.
            let _ = fs::remove_file(file);
        }
        let _ = fs::remove_dir(&self.folder);
    }
}

/// The folder that holds `output` and the name of `output` in it.
fn parent_and_name(output: &Path) -> (PathBuf, String) {
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = output
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// `path` with `suffix` added to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
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

    /// Every file and folder under `dir`, relative, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.expect("entry");
                e.path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        all.sort();
        all
    }

    /// A writer that takes at most `most` bytes a call, and is interrupted every third call.
    struct Short {
        most: usize,
        calls: usize,
        got: Vec<u8>,
    }

    impl Write for Short {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.write_vectored(&[io::IoSlice::new(bytes)])
        }

        fn write_vectored(&mut self, parts: &[io::IoSlice<'_>]) -> io::Result<usize> {
            assert!(
                parts.len() <= PARTS_PER_CALL,
                "{} parts in one call",
                parts.len()
            );
            self.calls += 1;
            if self.calls.is_multiple_of(3) {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let mut taken = 0;
            for part in parts {
                let n = part.len().min(self.most - taken);
                self.got.extend_from_slice(&part[..n]);
                taken += n;
                if taken == self.most {
                    break;
                }
            }
            Ok(taken)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Parts written many to a call come out whole and in order, however short the writes and
    /// however many the parts (more than one call can take, empty ones among them).
    #[test]
    fn parts_are_written_whole_and_in_order_through_short_writes() {
        let owned: Vec<Vec<u8>> = (0..3000u32)
            .map(|n| n.to_string().repeat((n % 4) as usize).into_bytes())
            .collect();
        let parts: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        for most in [1, 7, 4096, usize::MAX] {
            let mut out = Short {
                most,
                calls: 0,
                got: Vec::new(),
            };
            write_all_vectored(&mut out, &parts).expect("written");
            assert_eq!(out.got, parts.concat(), "at most {most} bytes a call");
        }
        let mut none = Short {
            most: 0,
            calls: 0,
            got: Vec::new(),
        };
        let refused = write_all_vectored(&mut none, &parts).expect_err("nothing taken");
        assert_eq!(refused.kind(), io::ErrorKind::WriteZero);
    }

    /// A staged file is in place only once committed; dropped before, it leaves nothing behind, and
    /// the file it replaced is kept aside until the replaced files are dropped.
    #[test]
    fn staged_files_replace_in_place_and_free_the_old_ones_later() {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("site");
        fs::create_dir_all(output.join("a")).expect("mkdir");
        fs::write(output.join("a/old.html"), "old").expect("write");
        let before = listing(dir.path());

        // Abandoned, in a folder of its own and beside an existing file: all gone again.
        let new_folder = stage_file(&output, "b/c/new.html", &[b"new"]).expect("stage");
        let beside_old = stage_file(&output, "a/old.html", &[b"newer"]).expect("stage");
        assert!(output.join("b/c/new.html.roadmap-new").is_file());
        drop((new_folder, beside_old));
        assert_eq!(
            listing(dir.path()),
            before,
            "an abandoned file left something"
        );

        // Committed: the new bytes in place; the old file aside until `replaced` is dropped.
        let replaced = Replaced::beside(&output);
        stage_file(&output, "a/old.html", &[b"newer"])
            .expect("stage")
            .commit(&replaced)
            .expect("commit");
        stage_file(&output, "b/new.html", &[b"new"])
            .expect("stage")
            .commit(&replaced)
            .expect("commit");
        assert_eq!(fs::read(output.join("a/old.html")).expect("read"), b"newer");
        assert_eq!(fs::read(output.join("b/new.html")).expect("read"), b"new");
        assert_eq!(
            listing(&output),
            ["a", "a/old.html", "b", "b/new.html"],
            "only the site's files in the output"
        );
        let aside = &replaced.folder;
        assert_eq!(listing(aside).len(), 1, "the old file is kept aside");
        assert_eq!(
            fs::read(aside.join(&listing(aside)[0])).expect("read"),
            b"old"
        );
        drop(replaced);
        assert_eq!(
            listing(dir.path()),
            [
                "site",
                "site/a",
                "site/a/old.html",
                "site/b",
                "site/b/new.html"
            ],
            "the old file and its folder are freed"
        );
    }

    #[test]
    fn commit_replaces_the_output_and_drop_leaves_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = dir.path().join("output");
        fs::create_dir_all(&output).expect("mkdir");
        fs::write(output.join("old.html"), "old").expect("write");

        let abandoned = Staging::begin(&output).expect("begin");
        abandoned.write("new.html", &[b"new"]).expect("write");
        drop(abandoned);
        assert!(output.join("old.html").exists());
        assert!(!output.join("new.html").exists());

        let staging = Staging::begin(&output).expect("begin");
        staging
            .write("a/b/index.html", &[b"<p>x</p>"])
            .expect("write");
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
