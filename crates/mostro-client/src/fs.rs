//! Private files and directories (mode `0700` / `0600` on Unix).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::store::StoreError;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `dir` (and parents) and restricts it to the owner.
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
    }
    Ok(())
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates `path` empty with mode `0600` if it does not exist, and makes sure an
/// existing file is not readable by others.
pub(crate) fn touch_private_file(path: &Path) -> Result<(), StoreError> {
    private_options()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io_err(path))?;
    restrict(path)
}

fn restrict(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io_err(path))?;
    }
    Ok(())
}

/// Writes `contents` to a new file `path` (mode `0600`); fails if it exists.
pub(crate) fn write_new_private_file(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    let mut file = private_options()
        .create_new(true)
        .write(true)
        .open(path)
        .map_err(io_err(path))?;
    file.write_all(contents).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))?;
    restrict(path)
}

/// Reads `path` as UTF-8, or `None` if it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, StoreError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}
