import Foundation

/// The UI thread's loop: waits on the terminal and on a wake-up pipe (background work posting to a
/// pane's mailbox writes a byte to it), routes input to the app, lets panes take in their messages,
/// refreshes the status bar's memory figure once a second, and redraws when something changed.
/// Engine work never runs here.
public final class EventLoop {
    private let app: WorkbenchApp
    private let waker: Waker
    private let wakeRead: Int32
    private let wakeWrite: Int32

    public init(app: WorkbenchApp, waker: Waker) {
        self.app = app
        self.waker = waker
        var fds: [Int32] = [0, 0]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        if wakeRead >= 0 {
            _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
            _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        }
        let fd = wakeWrite
        waker.install {
            var byte: UInt8 = 1
            _ = write(fd, &byte, 1)
        }
    }

    deinit {
        waker.install {}
        if wakeRead >= 0 { close(wakeRead); close(wakeWrite) }
    }

    /// Runs until the user quits. Owns the terminal while it runs.
    public func run() {
        let terminal = CursesTerminal()
        defer { terminal.end() }
        var needsDraw = true
        var lastTick = Date.distantPast
        while true {
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                app.status.memoryBytes = residentMemoryBytes()
                lastTick = now
                needsDraw = true
            }
            if needsDraw {
                let size = terminal.size
                var grid = Grid(width: size.width, height: size.height)
                app.draw(into: &grid)
                terminal.flush(grid, theme: app.theme)
                needsDraw = false
            }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let waitMS = Int32(max(0, 1000 - Date().timeIntervalSince(lastTick) * 1000))
            _ = poll(&fds, nfds_t(wakeRead >= 0 ? 2 : 1), waitMS)
            if fds[1].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                while read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            for event in terminal.readEvents() {
                needsDraw = true
                if app.handle(event) == .quit { return }
            }
            if app.update() { needsDraw = true }
        }
    }
}

/// Resident memory of this process in bytes (Linux `/proc/self/statm`), or nil elsewhere.
func residentMemoryBytes() -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
