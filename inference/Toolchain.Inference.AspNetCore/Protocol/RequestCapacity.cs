namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// What one inference request to a model may hold, known before its body is read: the reader counts tensor elements
/// against it (and against each input's declared shape) while it reads, and stops at the first excess, so a refused
/// request costs about its own size whatever it declares.
/// </summary>
/// <param name="Model">The model's protocol name, for messages.</param>
/// <param name="MaxRows">The most rows one request may carry.</param>
/// <param name="RowElements">Elements in one row of the model's input.</param>
internal sealed record RequestCapacity(string Model, int MaxRows, long RowElements)
{
    /// <summary>The most tensor elements the whole request may carry: a full batch of rows.</summary>
    public long MaxElements => MaxRows * RowElements;

    /// <summary>No model-specific bound (parsing on its own, as the tests do): only the body limit applies.</summary>
    public static RequestCapacity Unbounded { get; } = new("", 1, BodyLimits.MaxBodyBytes);
}
