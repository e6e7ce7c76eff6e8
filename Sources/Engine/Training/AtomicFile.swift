import Foundation

/// Crash-safe file and directory replacement: write under a temporary name, `fsync`, then `rename`
/// into place and `fsync` the parent directory, so a `kill -9` or power cut at any moment leaves
/// either the old content or the new one under the final name, never a torn file.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(TrainingError) {
        let temporary = path + ".partial-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                done += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if let failure {
            unlink(temporary)
            throw .io(path: path, reason: failure)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: path, reason: reason)
        }
        syncDirectory(containing: path)
    }

    /// Points the symbolic link `link` at `target` (a name relative to the link's directory),
    /// replacing any previous link in one `rename`.
    public static func pointLink(_ link: String, to target: String) throws(TrainingError) {
        let temporary = link + ".partial-\(getpid())"
        unlink(temporary)
        guard symlink(target, temporary) == 0 else { throw .io(path: link, reason: String(cString: strerror(errno))) }
        guard rename(temporary, link) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(path: link, reason: reason)
        }
        syncDirectory(containing: link)
    }

    /// `fsync`s a directory so that renames inside it are durable.
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    static func syncDirectory(containing path: String) {
        syncDirectory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }
}
