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
    /// File names, in the order written.
    names: Vec<String>,
}

enum Target {
    Dir {
        /// The hidden directory holding the files under their final names.
        dir: TempDir,
        /// Whether `dir` is a sibling of `out` that replaces it (`out` new
        /// or empty) rather than a directory inside `out`.
        whole: bool,
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
        let parent = match out.parent() {
            Some(p) if p.as_os_str().is_empty() => Some(Path::new(".")),
            other => other,
        };
        // A symlinked output directory keeps its link: files go inside it.
        let linked = std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink());
        let (home, whole) = match (empty && !linked, parent) {
            (true, Some(parent)) => (parent, true),
            _ => (out, false),
        };
        let dir = tempfile::Builder::new()
            .prefix(".facelic-")
            .tempdir_in(home)
            .map_err(DeskError::io(home))?;
        Ok(Staging {
            out: out.to_owned(),
            target: Target::Dir { dir, whole },
            names: Vec::new(),
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
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
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
            names: Vec::new(),
        })
    }

    /// Writes one license file under its final name.
    pub(crate) fn write(&mut self, name: &str, text: &str) -> Result<()> {
        let dir = match &mut self.target {
            Target::Dir { dir, .. } => dir.path(),
            Target::Sealed(_) => {
                return Err(DeskError::Internal(
                    "license archive written after it was sealed",
                ));
            }
            Target::Zip { archive, options } => {
                archive
                    .start_file(name, *options)
                    .and_then(|()| Ok(archive.write_all(text.as_bytes())?))
                    .map_err(|e| zip_error(&self.out, e))?;
                self.names.push(name.to_owned());
                return Ok(());
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
        self.names.push(name.to_owned());
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
        let Staging { out, target, names } = self.sealed()?;
        let (dir, whole) = match target {
            Target::Dir { dir, whole } => (dir, whole),
            Target::Zip { .. } => return Err(DeskError::Internal("license archive not sealed")),
            Target::Sealed(temp) => {
                // Never replaces an archive that appeared in the meantime.
                temp.persist_noclobber(&out).map_err(|e| DeskError::Io {
                    path: out.clone(),
                    source: std::io::Error::new(
                        e.error.kind(),
                        format!("{} (the licenses are recorded; re-run the command with a new archive name)", e.error),
                    ),
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
            std::fs::rename(dir.path().join(name), &to).map_err(|e| DeskError::Io {
                path: to.clone(),
                source: std::io::Error::new(
                    e.kind(),
                    format!("{e} (the license is recorded; re-run the command to write its file)"),
                ),
            })?;
        }
        Ok(paths)
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
