/// TuneBench's shared core: tensors, quantized formats, GGUF, tokenizer, model, generation.
public enum EngineInfo {
    public static let version = "0.1.0"
}
