import CPoppler
import Foundation

/// An open PDF file (poppler-glib). Owns the poppler document and releases it on deinit.
///
/// Thread safety: poppler documents are not safe to use from several threads at once, so every
/// call into poppler goes through one lock; the class is therefore `@unchecked Sendable` and pages
/// can be loaded from any thread (one at a time). The `PDFPage` values it returns are plain data.
public final class PDFDocument: @unchecked Sendable {
    public let path: String
    /// Number of pages poppler reports (a broken file can report 0: `open` rejects that).
    public let pageCount: Int
    /// Owner restrictions say text must not be copied (poppler extracts it anyway; callers warn).
    public let forbidsCopying: Bool
    /// Set when the file needed a repair to open (a warning for the user).
    public let repairNote: String?

    private let document: OpaquePointer
    private let lock = NSLock()

    /// Opens `path`; `password` is tried as both user and owner password.
    /// Throws a `PDFError` naming the problem: missing, empty, not a PDF, damaged, encrypted.
    public init(path: String, password: String? = nil) throws(PDFError) {
        self.path = path
        let url = URL(fileURLWithPath: path).standardizedFileURL
        try Self.checkHeader(path: path, url: url)

        var gerror: UnsafeMutablePointer<GError>? = nil
        var uriError: UnsafeMutablePointer<GError>? = nil
        guard let uriPointer = g_filename_to_uri(url.path, nil, &uriError) else {
            let reason = uriError.map { String(cString: $0.pointee.message) } ?? "bad file name"
            if let uriError { g_error_free(uriError) }
            throw .unreadable(path: path, reason: reason)
        }
        defer { g_free(uriPointer) }
        var opened = poppler_document_new_from_file(uriPointer, password, &gerror)
        var note: String? = nil
        // A wrong startxref offset: poppler 22.12 cannot rebuild the xref of a file whose objects
        // sit in object streams, so point startxref at the file's last cross-reference section.
        if opened == nil, gerror?.pointee.code == 4, let fixed = Self.repairStartXref(url: url) {
            var retryError: UnsafeMutablePointer<GError>? = nil
            let bytes = fixed.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
            opened = poppler_document_new_from_bytes(bytes, password, &retryError)
            g_bytes_unref(bytes)
            if opened != nil {
                if let gerror { g_error_free(gerror) }
                gerror = nil
                note = "the PDF's startxref offset was wrong; repaired it in memory"
            } else if let retryError {
                g_error_free(retryError)
            }
        }
        repairNote = note
        guard let opened else {
            let code = gerror?.pointee.code ?? -1
            let message = gerror.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown error"
            if let gerror { g_error_free(gerror) }
            // POPPLER_ERROR_ENCRYPTED = 1; every other code (INVALID 0, OPEN_FILE 2, BAD_CATALOG 3,
            // DAMAGED 4) means the file itself is unusable.
            if code == 1 { throw password == nil ? .passwordRequired(path: path) : .wrongPassword(path: path) }
            throw .damaged(path: path, reason: message)
        }
        document = opened
        let count = Int(poppler_document_get_n_pages(opened))
        guard count > 0 else {
            g_object_unref(UnsafeMutableRawPointer(opened))
            throw .noPages(path: path)
        }
        pageCount = count
        let permissions = poppler_document_get_permissions(opened).rawValue
        forbidsCopying = permissions & POPPLER_PERMISSIONS_OK_TO_COPY.rawValue == 0
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(document)) }

    /// Rejects what poppler would only describe vaguely: a missing file, an empty one, or one that
    /// does not start with `%PDF-` within its first 1024 bytes (where readers look for it).
    private static func checkHeader(path: String, url: URL) throws(PDFError) {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            if !FileManager.default.fileExists(atPath: url.path) { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: "permission denied or not a regular file")
        }
        defer { try? handle.close() }
        let head: Data
        do { head = try handle.read(upToCount: 1024) ?? Data() } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        if head.isEmpty { throw .emptyFile(path: path) }
        if head.range(of: Data("%PDF-".utf8)) == nil { throw .notAPDF(path: path, detected: describeMagic(head)) }
    }

    /// The file with its `startxref` number replaced by the offset of its last `xref` table or
    /// cross-reference stream object, or nil when that changes nothing or cannot be found.
    static func repairStartXref(url: URL) -> Data? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe),
              let marker = data.range(of: Data("startxref".utf8), options: .backwards)
        else { return nil }
        var target: Int? = nil
        if let table = data.range(of: Data("\nxref".utf8), options: .backwards, in: 0..<marker.lowerBound) {
            target = table.lowerBound + 1
        } else if let stream = data.range(of: Data("/XRef".utf8), options: .backwards, in: 0..<marker.lowerBound),
                  let objKeyword = data.range(of: Data(" obj".utf8), options: .backwards, in: 0..<stream.lowerBound)
        {
            // Walk back over "<num> <gen>" to the start of the object header line.
            var i = objKeyword.lowerBound
            while i > 0, let b = data[i - 1] as UInt8?, b != 10 && b != 13 { i -= 1 }
            target = i
        }
        guard let target else { return nil }
        var fixed = Data(data[..<marker.upperBound])
        fixed.append(Data("\n\(target)\n%%EOF\n".utf8))
        return fixed
    }

    /// A short name for what a non-PDF file looks like, from its first bytes.
    static func describeMagic(_ head: Data) -> String {
        let bytes = [UInt8](head.prefix(8))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive (EPUB/DOCX?)" }
        if bytes.starts(with: [0x1F, 0x8B]) { return "a gzip archive" }
        let printable = head.prefix(512).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (0x20..<0x7F).contains($0) || $0 >= 0x80 }
        if printable {
            let text = String(decoding: head.prefix(64), as: UTF8.self)
            if text.lowercased().contains("<html") || text.lowercased().contains("<!doctype") { return "an HTML page" }
            return "plain text"
        }
        return "binary data"
    }

    /// Page `number` (1-based): size, rotation, characters with boxes and font sizes, lines in
    /// reading order. Throws `.pageOutOfRange` or `.pageUnreadable` (a broken page object).
    public func page(_ number: Int) throws(PDFError) -> PDFPage {
        guard number >= 1 && number <= pageCount else { throw .pageOutOfRange(page: number, pageCount: pageCount) }
        lock.lock()
        defer { lock.unlock() }
        guard let page = poppler_document_get_page(document, Int32(number - 1)) else {
            throw .pageUnreadable(page: number)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        return PDFPage(loading: page, number: number)
    }

    /// Renders page `number` at `scale` pixels per point (1 = 72 dpi) on a white background.
    public func render(page number: Int, scale: Double, format: PixelFormat = .rgba) throws(PDFError) -> PixelBuffer {
        guard number >= 1 && number <= pageCount else { throw .pageOutOfRange(page: number, pageCount: pageCount) }
        lock.lock()
        defer { lock.unlock() }
        guard let page = poppler_document_get_page(document, Int32(number - 1)) else {
            throw .pageUnreadable(page: number)
        }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        return try PixelBuffer(rendering: page, number: number, scale: scale, format: format)
    }
}
