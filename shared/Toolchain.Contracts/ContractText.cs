namespace Toolchain.Contracts;

/// <summary>
/// The one text form of each contract enum: what the card stores, what the command-line flags and configuration take,
/// and what messages print. Parsing is case-insensitive; writing gives the card's spelling.
/// </summary>
public static class ContractText
{
    /// <summary>"binary", "multiclass" or "regression".</summary>
    public static string Of(ModelTask task) => task switch
    {
        ModelTask.Binary => "binary",
        ModelTask.Multiclass => "multiclass",
        ModelTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
    };

    /// <summary>"float32", "float64" or "uint8".</summary>
    public static string Of(ElementType type) => type switch
    {
        ElementType.Float32 => "float32",
        ElementType.Float64 => "float64",
        ElementType.UInt8 => "uint8",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>"NCHW" or "NC".</summary>
    public static string Of(InputLayout layout) => layout switch
    {
        InputLayout.Nchw => "NCHW",
        InputLayout.Nc => "NC",
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, null),
    };

    /// <summary>"none", "digit" or "resize".</summary>
    public static string Of(PreprocessingMode mode) => mode switch
    {
        PreprocessingMode.None => "none",
        PreprocessingMode.Digit => "digit",
        PreprocessingMode.Resize => "resize",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>"auto", "cpu" or "cuda".</summary>
    public static string Of(ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.Auto => "auto",
        ExecutionProvider.Cpu => "cpu",
        ExecutionProvider.Cuda => "cuda",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>"int8-qdq", "int8-dynamic" or "float16".</summary>
    public static string Of(QuantizationFormat format) => format switch
    {
        QuantizationFormat.Int8Qdq => "int8-qdq",
        QuantizationFormat.Int8Dynamic => "int8-dynamic",
        QuantizationFormat.Float16 => "float16",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>"minmax", "percentile" or "entropy".</summary>
    public static string Of(CalibrationMethod method) => method switch
    {
        CalibrationMethod.MinMax => "minmax",
        CalibrationMethod.Percentile => "percentile",
        CalibrationMethod.Entropy => "entropy",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
    };

    /// <summary>Parses a task; null when <paramref name="text"/> is not one.</summary>
    public static ModelTask? Task(string? text) => Parse<ModelTask>(text);

    /// <summary>Parses an element type; null when <paramref name="text"/> is not one.</summary>
    public static ElementType? Element(string? text) => Parse<ElementType>(text);

    /// <summary>Parses an input layout; null when <paramref name="text"/> is not one.</summary>
    public static InputLayout? Layout(string? text) => Parse<InputLayout>(text);

    /// <summary>Parses a preprocessing mode; null when <paramref name="text"/> is not one.</summary>
    public static PreprocessingMode? Mode(string? text) => Parse<PreprocessingMode>(text);

    /// <summary>Parses a provider; null when <paramref name="text"/> is not one.</summary>
    public static ExecutionProvider? Provider(string? text) => Parse<ExecutionProvider>(text);

    /// <summary>The card spellings of every value of <typeparamref name="T"/>, for messages ("digit, resize or none").</summary>
    public static string Choices<T>() where T : struct, Enum
    {
        var names = Enum.GetValues<T>().Select(OfAny).ToArray();
        return names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    /// <summary>Parses any contract enum from its card text (case-insensitive); null when it is not one.</summary>
    public static T? Parse<T>(string? text) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(OfAny(value), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>The card text of any contract enum value.</summary>
    public static string OfAny<T>(T value) where T : struct, Enum => value switch
    {
        ModelTask t => Of(t),
        ElementType e => Of(e),
        InputLayout l => Of(l),
        PreprocessingMode m => Of(m),
        ExecutionProvider p => Of(p),
        QuantizationFormat q => Of(q),
        CalibrationMethod c => Of(c),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };
}
