import CPoppler

/// PDF extraction and dataset preparation.
public enum CorpusInfo {
    public static var popplerVersion: String { String(cString: poppler_get_version()) }
}
