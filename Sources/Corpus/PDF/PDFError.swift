/// Everything that can go wrong opening or extracting a PDF, with a one-line message a user can act
/// on and a distinct process exit code (documented in `tunebench extract --help`).
public enum PDFError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case notAPDF(path: String, detected: String)
    case damaged(path: String, reason: String)
    case passwordRequired(path: String)
    case wrongPassword(path: String)
    case noPages(path: String)
    case pageOutOfRange(page: Int, pageCount: Int)
    case badCropBox(text: String, reason: String)
    case badPageRange(text: String, reason: String)
    case pageUnreadable(page: Int)
    case noTextLayer(path: String)
    case renderFailed(page: Int, reason: String)
    case outputFailed(path: String, reason: String)

    /// Process exit code for `tunebench extract`; 0 is success and 64 a usage error (ArgumentParser).
    public var exitCode: Int32 {
        switch self {
        case .fileNotFound, .unreadable: return 2
        case .emptyFile: return 3
        case .notAPDF: return 4
        case .damaged, .noPages, .pageUnreadable, .renderFailed: return 5
        case .passwordRequired, .wrongPassword: return 6
        case .noTextLayer: return 7
        case .outputFailed: return 8
        case .pageOutOfRange, .badCropBox, .badPageRange: return 9
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read the file (\(reason))"
        case .emptyFile(let path): return "\(path): the file is empty (0 bytes), not a PDF"
        case .notAPDF(let path, let detected):
            return "\(path): not a PDF (it starts like \(detected), not with %PDF-)"
        case .damaged(let path, let reason):
            return "\(path): the PDF is damaged or truncated and cannot be opened (\(reason)); try re-downloading it"
        case .passwordRequired(let path):
            return "\(path): the PDF is encrypted; give its password with --password"
        case .wrongPassword(let path): return "\(path): the password does not open this PDF"
        case .noPages(let path): return "\(path): the PDF has no readable pages (damaged page tree?)"
        case .pageOutOfRange(let page, let count): return "page \(page) does not exist: the PDF has \(count) pages"
        case .badCropBox(let text, let reason):
            return "bad crop box '\(text)': \(reason); expected x0,top,x1,bottom in PDF points from the top-left corner"
        case .badPageRange(let text, let reason):
            return "bad page range '\(text)': \(reason); expected e.g. 5-610 or 1-3,7,9-"
        case .pageUnreadable(let page): return "page \(page) cannot be read (broken page object)"
        case .noTextLayer(let path):
            return "\(path): none of the selected pages has a text layer (a scan?); run OCR first"
        case .renderFailed(let page, let reason): return "page \(page) could not be rendered (\(reason))"
        case .outputFailed(let path, let reason): return "cannot write \(path) (\(reason))"
        }
    }
}
