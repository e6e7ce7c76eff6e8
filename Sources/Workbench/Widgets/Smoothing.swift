import Foundation

/// TensorBoard's scalar smoothing: an exponential moving average with the start-up bias removed.
///
/// `last = last · w + (1 − w) · y`, then `smoothed = last / (1 − wⁿ)` after n finite values, as in
/// TensorBoard's line chart (`resmoothDataset`). Non-finite values pass through unchanged and do not
/// enter the average; a constant series is returned as it is. `weight` is in [0, 1); 0 is no smoothing.
public func smoothedLikeTensorBoard(_ values: [Double], weight: Double) -> [Double] {
    let w = min(max(weight, 0), 0.999)
    guard let first = values.first else { return [] }
    if values.allSatisfy({ $0 == first }) { return values }
    var last = 0.0
    var count = 0.0
    return values.map { y in
        guard y.isFinite else { return y }
        last = last * w + (1 - w) * y
        count += 1
        let debias = w == 0 ? 1 : 1 - pow(w, count)
        return last / debias
    }
}
