//! License files of one batch, written after the ledger committed them,
//! into an output directory or one zip archive.
//!
//! The output is checked before anything is recorded ([`check_output`]);
//! the files are written only once the ledger knows every license in them
//! ([`publish`]), so no signed license exists on disk that the ledger does
//! not know.
//!
//! **Directory** (`--out DIR`): files are written under their final names
//! to a hidden `.facelic-*` directory, then moved into place. A new output
//! directory is the staging directory renamed (all files appear at once);
//! into an existing directory (empty or not, a mount point such as a USB
//! stick included) the staging directory is made inside it, so each move is
//! a rename on the same file system, and the directory keeps its owner and
//! mode.
//!
//! **Zip archive** (`--out FILE.zip`): one file, `<order>_<device>.lic`
//! entries, written to a hidden temporary file and renamed into place; an
//! existing archive (or anything else at that path, a dangling link too) is
//! never replaced: the batch is refused before anything is recorded.
//!
//! A crash while files are written leaves at most a hidden `.facelic-*`
//! directory or `.zip.tmp` file holding licenses the ledger already
//! recorded; re-running the (idempotent) command writes whatever is missing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use tempfile::{NamedTempFile, TempDir};
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use super::seek_buffer::SeekBuffer;
use super::{DeskError, Result};
use crate::Timestamp;

/// A license file to write: its name in the output and its text.
pub(crate) struct LicenseFile {
    /// File name (also the archive entry's name).
    pub(crate) name: String,
    /// The license text.
    pub(crate) text: String,
}

/// Refuses an output that cannot take a batch, before anything is recorded:
/// a zip archive path where anything exists (a dangling link included), or
/// a directory path that is a file.
pub(crate) fn check_output(out: &Path) -> Result<()> {
    let exists = std::fs::symlink_metadata(out).is_ok();
    if is_archive(out) {
        if exists {
            return Err(DeskError::Io {
                path: out.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "exists; name a new archive (archives are never replaced)",
                ),
            });
        }
    } else if exists && !out.is_dir() {
        return Err(DeskError::Io {
            path: out.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a directory",
            ),
        });
    }
    Ok(())
}

/// Writes the files of a committed batch to `out` (`now` dates archive
/// entries) and returns the paths written. A failure here leaves the
/// licenses recorded: the error says so, and how to get the files.
pub(crate) fn publish(out: &Path, now: Timestamp, files: &[LicenseFile]) -> Result<Vec<PathBuf>> {
    let write = || -> Result<Vec<PathBuf>> {
        let mut staging = Staging::new(out, now)?;
        for file in files {
            staging.write(&file.name, &file.text)?;
        }
        staging.publish()
    };
    write().map_err(|e| match e {
        DeskError::Io { path, source } => {
            let note = if is_archive(out) {
                "the licenses are recorded; run the command again with a new archive name"
            } else {
                "the licenses are recorded; run the command again to write their files"
            };
            recorded_but_not_written(&path, source, note)
        }
        other => other,
    })
}

/// Files staged for one output (directory or zip archive).
struct Staging {
    /// Where the files go.
    out: PathBuf,
    target: Target,
}

enum Target {
    Dir {
        /// The hidden directory holding the files under their final names.
        dir: TempDir,
        /// Whether `dir` is a sibling of `out` that becomes it (`out` did
        /// not exist) rather than a directory inside `out`.
        whole: bool,
        /// File names, in the order written.
        names: Vec<String>,
    },
    Zip {
        archive: Box<ZipWriter<SeekBuffer<NamedTempFile>>>,
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
    fn new(out: &Path, now: Timestamp) -> Result<Self> {
        if is_archive(out) {
            return Self::zip(out, now);
        }
        // An existing directory (a symlink to one, or a mount point) is
        // kept as it is: the files are staged inside it.
        let whole = std::fs::symlink_metadata(out).is_err();
        let home = if whole {
            let parent = crate::parent_dir(out);
            std::fs::create_dir_all(parent).map_err(DeskError::io(parent))?;
            parent
        } else {
            out
        };
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
        check_output(out)?;
        let parent = crate::parent_dir(out);
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
        let archive = ZipWriter::new(SeekBuffer::new(temp));
        Ok(Staging {
            out: out.to_owned(),
            target: Target::Zip {
                archive: Box::new(archive),
                options,
            },
        })
    }

    /// Writes one license file under its final name.
    fn write(&mut self, name: &str, text: &str) -> Result<()> {
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

    /// Completes what is staged (writes the archive's directory).
    fn sealed(mut self) -> Result<Self> {
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

    /// Moves the files into the output and returns their paths.
    fn publish(self) -> Result<Vec<PathBuf>> {
        let Staging { out, target } = self.sealed()?;
        let (dir, whole, names) = match target {
            Target::Dir { dir, whole, names } => (dir, whole, names),
            Target::Zip { .. } => return Err(DeskError::Internal("license archive not sealed")),
            Target::Sealed(temp) => {
                // Never replaces an archive that appeared in the meantime.
                temp.persist_noclobber(&out)
                    .map_err(|e| DeskError::io(&out)(e.error))?;
                return Ok(vec![out]);
            }
        };
        let paths = names.iter().map(|n| out.join(n)).collect();
        if whole && become_output(dir.path(), &out) {
            // The staging directory is the output directory now.
            let _ = dir.keep();
            return Ok(paths);
        }
        std::fs::create_dir_all(&out).map_err(DeskError::io(&out))?;
        for name in &names {
            move_file(&dir.path().join(name), &out.join(name))?;
        }
        Ok(paths)
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

/// Renames `staged` to the new directory `out` with a directory's usual
/// permissions; false if that is not possible (`out` appeared meanwhile),
/// so the caller moves file by file.
fn become_output(staged: &Path, out: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if std::fs::set_permissions(staged, std::fs::Permissions::from_mode(0o755)).is_err() {
            return false;
        }
    }
    std::fs::rename(staged, out).is_ok()
}

/// Moves a staged file into place: a rename, or a copy and a rename inside
/// the target's directory where the two are on different file systems.
fn move_file(from: &Path, to: &Path) -> Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let bytes = std::fs::read(from).map_err(DeskError::io(from))?;
            crate::write_file(to, &bytes, 0o644, true).map_err(DeskError::io(to))?;
            std::fs::remove_file(from).map_err(DeskError::io(from))
        }
        other => other.map_err(DeskError::io(to)),
    }
}
