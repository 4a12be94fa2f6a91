//! License files of one batch: staged before the ledger commit, published
//! after it, into an output directory or one zip archive.
//!
//! **Directory** (`--out DIR`): files are written under their final names
//! to a hidden `.facelic-*` directory. When the output directory is new or
//! empty, the whole staging directory is renamed onto it, so its files
//! appear at once and publishing costs one rename whatever the batch size;
//! otherwise each file is renamed into place.
//!
//! **Zip archive** (`--out FILE.zip`): one file, `<order>_<device>.lic`
//! entries, written to a hidden temporary file and renamed into place; an
//! existing archive is never replaced (the batch is refused before anything
//! is recorded). Creating one archive costs far less than creating thousands
//! of files, and it is what a large order is delivered as anyway.
//!
//! A crash before the commit leaves only hidden `.facelic-*` files, which
//! can be deleted; after the commit, re-running the (idempotent) command
//! writes whatever is missing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempDir};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::window::Window;
use super::{DeskError, Result};
use crate::Timestamp;

/// Files staged for one output (directory or zip archive).
pub(crate) struct Staging {
    /// Where the files go.
    out: PathBuf,
    target: Target,
}

enum Target {
    Dir {
        /// The hidden directory holding the files under their final names.
        dir: TempDir,
        /// Whether `dir` is a sibling of `out` that replaces it (`out` new
        /// or empty) rather than a directory inside `out`.
        whole: bool,
        /// File names, in the order written.
        names: Vec<String>,
    },
    Zip {
        archive: Box<ZipWriter<Window<NamedTempFile>>>,
        options: SimpleFileOptions,
    },
    /// A finished archive, waiting to be renamed into place.
    Sealed(NamedTempFile),
}

/// Whether an output path names a zip archive (its name ends in `.zip`)
/// rather than a directory of license files.
pub fn is_archive(out: &Path) -> bool {
    out.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

impl Staging {
    /// Prepares `out`: a zip archive if its name ends in `.zip` (refused if
    /// it exists), else a directory (created with its parents). `now` dates
    /// archive entries.
    pub(crate) fn new(out: &Path, now: Timestamp) -> Result<Self> {
        if is_archive(out) {
            return Self::zip(out, now);
        }
        std::fs::create_dir_all(out).map_err(DeskError::io(out))?;
        let empty = std::fs::read_dir(out)
            .map_err(DeskError::io(out))?
            .next()
            .is_none();
        // A symlinked output directory keeps its link: files go inside it.
        let linked = std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
        let whole = empty && !linked;
        let home = if whole { parent_dir(out) } else { out };
        let dir = tempfile::Builder::new()
            .prefix(".facelic-")
            .tempdir_in(home)
            .map_err(DeskError::io(home))?;
        Ok(Staging {
            out: out.to_owned(),
            target: Target::Dir {
                dir,
                whole,
                names: Vec::new(),
            },
        })
    }

    fn zip(out: &Path, now: Timestamp) -> Result<Self> {
        if out.exists() {
            return Err(DeskError::Io {
                path: out.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists; name a new archive (archives are never replaced)",
                ),
            });
        }
        let parent = parent_dir(out);
        std::fs::create_dir_all(parent).map_err(DeskError::io(parent))?;
        let mut builder = tempfile::Builder::new();
        builder.prefix(".facelic-").suffix(".zip.tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            builder.permissions(std::fs::Permissions::from_mode(0o644));
        }
        let temp = builder.tempfile_in(parent).map_err(DeskError::io(parent))?;
        let mut options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .unix_permissions(0o644);
        if let Some(time) = chrono::DateTime::from_timestamp(now.unix(), 0)
            .and_then(|t| zip::DateTime::try_from(t.naive_utc()).ok())
        {
            options = options.last_modified_time(time);
        }
        let archive = ZipWriter::new(Window::new(temp));
        Ok(Staging {
            out: out.to_owned(),
            target: Target::Zip {
                archive: Box::new(archive),
                options,
            },
        })
    }

    /// Stages `out` with one file, sealed: a platform license.
    pub(crate) fn single(out: &Path, now: Timestamp, name: &str, text: &str) -> Result<Self> {
        let mut staging = Self::new(out, now)?;
        staging.write(name, text)?;
        staging.sealed()
    }

    /// Writes one license file under its final name.
    pub(crate) fn write(&mut self, name: &str, text: &str) -> Result<()> {
        let (dir, names) = match &mut self.target {
            Target::Dir { dir, names, .. } => (dir.path(), names),
            Target::Sealed(_) => {
                return Err(DeskError::Internal(
                    "license archive written after it was sealed",
                ));
            }
            Target::Zip { archive, options } => {
                return archive
                    .start_file(name, *options)
                    .and_then(|()| Ok(archive.write_all(text.as_bytes())?))
                    .map_err(|e| zip_error(&self.out, e));
            }
        };
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            // License files are not secret: readable like any document.
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o644);
        }
        let mut file = options.open(&path).map_err(DeskError::io(&path))?;
        file.write_all(text.as_bytes())
            .map_err(DeskError::io(&path))?;
        names.push(name.to_owned());
        Ok(())
    }

    /// Completes what is staged (writes the archive's directory), so that a
    /// full disk stops the batch before the ledger commits.
    pub(crate) fn sealed(mut self) -> Result<Self> {
        if let Target::Zip { archive, .. } = self.target {
            let temp = archive
                .finish()
                .map_err(|e| zip_error(&self.out, e))?
                .into_inner()
                .map_err(DeskError::io(&self.out))?;
            self.target = Target::Sealed(temp);
        }
        Ok(self)
    }

    /// Moves the files into the output directory (after the commit) and
    /// returns their paths.
    pub(crate) fn publish(self) -> Result<Vec<PathBuf>> {
        let Staging { out, target } = self.sealed()?;
        let (dir, whole, names) = match target {
            Target::Dir { dir, whole, names } => (dir, whole, names),
            Target::Zip { .. } => return Err(DeskError::Internal("license archive not sealed")),
            Target::Sealed(temp) => {
                // Never replaces an archive that appeared in the meantime.
                temp.persist_noclobber(&out).map_err(|e| {
                    recorded_but_not_written(
                        &out,
                        e.error,
                        "the licenses are recorded; re-run the command with a new archive name",
                    )
                })?;
                return Ok(vec![out]);
            }
        };
        let paths = names.iter().map(|n| out.join(n)).collect();
        if whole && !names.is_empty() && replace_empty_dir(dir.path(), &out) {
            // The staging directory is the output directory now.
            let _ = dir.keep();
            return Ok(paths);
        }
        for name in &names {
            let to = out.join(name);
            std::fs::rename(dir.path().join(name), &to).map_err(|e| {
                recorded_but_not_written(
                    &to,
                    e,
                    "the license is recorded; re-run the command to write its file",
                )
            })?;
        }
        Ok(paths)
    }
}

/// Where staged files go beside `out`: its parent directory, or `.`.
fn parent_dir(out: &Path) -> &Path {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A publishing failure after the commit: `path` was not written although
/// its licenses are recorded; `note` says so and how to get the file.
fn recorded_but_not_written(path: &Path, e: std::io::Error, note: &str) -> DeskError {
    DeskError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(e.kind(), format!("{e} ({note})")),
    }
}

/// A zip writer's error as an I/O error on the archive.
fn zip_error(out: &Path, e: zip::result::ZipError) -> DeskError {
    DeskError::Io {
        path: out.to_owned(),
        source: std::io::Error::other(e),
    }
}

/// Renames `staged` onto the empty directory `out` with `out`'s permissions;
/// false if that is not possible (another process wrote into `out`, or the
/// platform does not replace directories), so the caller moves file by file.
fn replace_empty_dir(staged: &Path, out: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(out) else {
        return false;
    };
    std::fs::set_permissions(staged, meta.permissions()).is_ok()
        && std::fs::rename(staged, out).is_ok()
}
