/// Why a batch cannot go through the training graph.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case badSetting(String)
    case badBatch(String)

    public var description: String {
        switch self {
        case .badSetting(let m), .badBatch(let m): m
        }
    }
}
