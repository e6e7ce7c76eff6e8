import Foundation

/// An exclusive hold on a run folder while a process trains into it: an `flock` on `<run>/.lock`,
/// which records the holder's pid. A second trainer (a `--resume` beside a live run, two
/// `tunebench train` on one `--out`, the Train pane and a shell) is refused with the holder's pid
/// instead of deleting the other's temporaries and mixing metrics rows. The kernel drops the lock
/// when the process ends, however it ends, so a `kill -9` leaves no stale lock.
public final class RunLock: @unchecked Sendable {
    public static let fileName = ".lock"
    private let fd: Int32

    /// Takes the lock of `directory` (which must exist), or throws naming the process holding it.
    public init(directory: String) throws(TrainingError) {
        let path = directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPID(fd)
            close(fd)
            throw .busy("\(directory) is in use by another training run" + (holder.map { " (process \($0))" } ?? "")
                + "; wait for it to finish or stop it first")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    /// The process holding `directory`'s lock now, or nil when no trainer holds it (a killed run's
    /// lock is released by the kernel).
    public static func holder(of directory: String) -> Int32? {
        let fd = open(directory + "/" + fileName, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readPID(fd) ?? -1
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
